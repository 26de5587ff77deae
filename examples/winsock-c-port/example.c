/*
 * example.c: a small Winsock 2 program in the classic style, the reference for example.mjs
 * (its line-by-line port to wsaioctl/winsock). Windows only: build it with
 *
 *     cl /W4 example.c ws2_32.lib                   (Visual Studio)
 *     x86_64-w64-mingw32-gcc -Wall example.c -lws2_32 -o example.exe
 *
 * What it does, on loopback only:
 *   1. WSAStartup(2.2)
 *   2. on a UDP socket: SIO_GET_INTERFACE_LIST (the IPv4 interfaces) and
 *      SIO_ADDRESS_LIST_QUERY (the addresses to bind to: size query first, then the list)
 *   3. a TCP listener on 127.0.0.1 (port chosen by the system), a client connected to it
 *   4. SIO_KEEPALIVE_VALS on the client (30 s idle, 1 s between probes), SO_KEEPALIVE read back
 *   5. FIONREAD on the client after the server sent 5 bytes
 *   6. closesocket everything, WSACleanup
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <stdio.h>
#include <stdlib.h>

static const char *addr_text(const SOCKADDR *sa, char *text, size_t size)
{
    if (sa->sa_family == AF_INET)
        return inet_ntop(AF_INET, &((const SOCKADDR_IN *)sa)->sin_addr, text, size);
    return inet_ntop(AF_INET6, &((const SOCKADDR_IN6 *)sa)->sin6_addr, text, size);
}

static int fail(const char *what)
{
    printf("%s failed: %d\n", what, WSAGetLastError());
    WSACleanup();
    return 1;
}

int main(void)
{
    WSADATA wsaData;
    DWORD bytes = 0;
    char text[INET6_ADDRSTRLEN];
    int i;

    /* 1. Start Winsock 2.2. */
    int rc = WSAStartup(MAKEWORD(2, 2), &wsaData);
    if (rc != 0) {
        printf("WSAStartup failed: %d\n", rc);
        return 1;
    }
    printf("Winsock %d.%d: %s\n", LOBYTE(wsaData.wVersion), HIBYTE(wsaData.wVersion), wsaData.szDescription);

    /* 2a. SIO_GET_INTERFACE_LIST on a UDP socket: an array of INTERFACE_INFO. */
    SOCKET udp = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (udp == INVALID_SOCKET)
        return fail("socket");
    INTERFACE_INFO interfaces[32];
    if (WSAIoctl(udp, SIO_GET_INTERFACE_LIST, NULL, 0, interfaces, sizeof(interfaces), &bytes, NULL, NULL) == SOCKET_ERROR)
        return fail("WSAIoctl(SIO_GET_INTERFACE_LIST)");
    int count = (int)(bytes / sizeof(INTERFACE_INFO));
    printf("%d IPv4 interface(s):\n", count);
    for (i = 0; i < count; i++) {
        ULONG flags = interfaces[i].iiFlags;
        printf("  %-15s", addr_text(&interfaces[i].iiAddress.Address, text, sizeof(text)));
        printf("  mask %-15s", addr_text(&interfaces[i].iiNetmask.Address, text, sizeof(text)));
        printf("  %s%s%s\n", (flags & IFF_UP) ? "up" : "down", (flags & IFF_LOOPBACK) ? " loopback" : "",
               (flags & IFF_BROADCAST) ? " broadcast" : "");
    }

    /* 2b. SIO_ADDRESS_LIST_QUERY: ask for the size (WSAEFAULT, size in bytes), then the list. */
    DWORD needed = 0;
    if (WSAIoctl(udp, SIO_ADDRESS_LIST_QUERY, NULL, 0, NULL, 0, &needed, NULL, NULL) == 0 || WSAGetLastError() != WSAEFAULT)
        return fail("WSAIoctl(SIO_ADDRESS_LIST_QUERY) size query");
    SOCKET_ADDRESS_LIST *list = (SOCKET_ADDRESS_LIST *)malloc(needed);
    if (WSAIoctl(udp, SIO_ADDRESS_LIST_QUERY, NULL, 0, list, needed, &bytes, NULL, NULL) == SOCKET_ERROR)
        return fail("WSAIoctl(SIO_ADDRESS_LIST_QUERY)");
    printf("%d address(es) to bind to (%lu bytes):\n", list->iAddressCount, bytes);
    for (i = 0; i < list->iAddressCount; i++)
        printf("  %s\n", addr_text(list->Address[i].lpSockaddr, text, sizeof(text)));
    free(list);
    closesocket(udp);

    /* 3. A TCP listener on 127.0.0.1, a client connected to it, the server's end accepted. */
    SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    SOCKADDR_IN local = { 0 };
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    local.sin_port = htons(0);
    if (bind(listener, (SOCKADDR *)&local, sizeof(local)) == SOCKET_ERROR || listen(listener, 1) == SOCKET_ERROR)
        return fail("bind/listen");
    int namelen = sizeof(local);
    getsockname(listener, (SOCKADDR *)&local, &namelen);
    printf("listening on 127.0.0.1:%d\n", ntohs(local.sin_port));
    SOCKET client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (connect(client, (SOCKADDR *)&local, sizeof(local)) == SOCKET_ERROR)
        return fail("connect");
    SOCKET server = accept(listener, NULL, NULL);
    if (server == INVALID_SOCKET)
        return fail("accept");

    /* 4. SIO_KEEPALIVE_VALS: keep-alive on, first probe after 30 s idle, then every 1 s. */
    struct tcp_keepalive keepalive = { 1, 30000, 1000 };
    if (WSAIoctl(client, SIO_KEEPALIVE_VALS, &keepalive, sizeof(keepalive), NULL, 0, &bytes, NULL, NULL) == SOCKET_ERROR)
        return fail("WSAIoctl(SIO_KEEPALIVE_VALS)");
    BOOL on = FALSE;
    int optlen = sizeof(on);
    getsockopt(client, SOL_SOCKET, SO_KEEPALIVE, (char *)&on, &optlen);
    printf("SIO_KEEPALIVE_VALS done: SO_KEEPALIVE is %s\n", on ? "on" : "off");

    /* 5. FIONREAD: the server sends 5 bytes; wait (bounded) until the client sees them. */
    send(server, "hello", 5, 0);
    u_long available = 0;
    for (i = 0; i < 100 && available == 0; i++) {
        if (ioctlsocket(client, FIONREAD, &available) == SOCKET_ERROR)
            return fail("ioctlsocket(FIONREAD)");
        if (available == 0)
            Sleep(10);
    }
    printf("FIONREAD: %lu byte(s) to read\n", available);

    /* 6. Close everything, stop Winsock. */
    closesocket(server);
    closesocket(client);
    closesocket(listener);
    WSACleanup();
    return 0;
}
