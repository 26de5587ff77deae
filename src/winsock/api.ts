/**
 * The contract both backends implement: the Winsock functions with their C names, argument order
 * and return conventions. `winsock/index.ts` picks the backend for the platform.
 */
import type {
  SOCKET, HANDLE, WSAEVENT, Ref, WSAOVERLAPPED, LPWSAOVERLAPPED_COMPLETION_ROUTINE, WSADATA,
  WSANETWORKEVENTS, WSABUF, fd_set, TIMEVAL, WSAPOLLFD, NodeSocketView, DefaultGateway, WSAMSG, TRANSMIT_FILE_BUFFERS,
  TRANSMIT_PACKETS_ELEMENT, HWND, MSG, WNDCLASSEXW,
} from './types.js';

/**
 * Events, waits, overlapped results, completion ports, cancellation and event selection
 * (winsock2.h / kernel32). BOOL results are JS booleans; BOOL arguments accept true/false or 1/0.
 * Failures set the last error (GetLastError / WSAGetLastError share one slot, as on Windows).
 * Each `...Async` twin takes the same arguments, fills the same out-parameters and resolves with
 * the same value, without blocking the event loop.
 */
export interface WinsockOverlapped {
  /**
   * `WSAEVENT WSACreateEvent(void)`
   *
   * Creates a manual-reset event object, initially not signalled. Returns the handle, or
   * WSA_INVALID_EVENT (0).
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINPROGRESS, WSA_NOT_ENOUGH_MEMORY.
   *
   * Linux: handles belong to the JS thread that made them (Windows handles are process-wide); see
   * [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSACreateEvent(): WSAEVENT;
  /**
   * `BOOL WSACloseEvent(WSAEVENT hEvent)`
   *
   * Closes an event handle. Returns TRUE, or FALSE with the last error set.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINPROGRESS, WSA_INVALID_HANDLE.
   */
  WSACloseEvent(hEvent: WSAEVENT): boolean;
  /**
   * `BOOL WSASetEvent(WSAEVENT hEvent)`
   *
   * Signals an event. Returns TRUE, or FALSE with the last error set.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSA_INVALID_HANDLE.
   */
  WSASetEvent(hEvent: WSAEVENT): boolean;
  /**
   * `BOOL WSAResetEvent(WSAEVENT hEvent)`
   *
   * Resets an event to not signalled. Returns TRUE, or FALSE with the last error set.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINPROGRESS, WSA_INVALID_HANDLE.
   */
  WSAResetEvent(hEvent: WSAEVENT): boolean;
  /**
   * `DWORD WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents, BOOL fWaitAll, DWORD dwTimeout, BOOL fAlertable)`
   *
   * Waits until one (or, with `fWaitAll`, every) event is signalled, the timeout passes or, when
   * alertable, completion routines ran. Returns WSA_WAIT_EVENT_0 + index, WSA_WAIT_IO_COMPLETION,
   * WSA_WAIT_TIMEOUT or WSA_WAIT_FAILED. Blocks the calling JS thread in the kernel (no spinning).
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINPROGRESS, WSA_NOT_ENOUGH_MEMORY,
   * WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER (cEvents 0 or above WSA_MAXIMUM_WAIT_EVENTS).
   */
  WSAWaitForMultipleEvents(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): number;
  /**
   * The async twin of WSAWaitForMultipleEvents: same arguments, same result, without blocking the
   * event loop.
   */
  WSAWaitForMultipleEventsAsync(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): Promise<number>;
  /**
   * `DWORD SleepEx(DWORD dwMilliseconds, BOOL bAlertable)`
   *
   * kernel32: sleeps for `dwMilliseconds` (INFINITE: forever); when alertable, returns early with
   * WAIT_IO_COMPLETION (0xC0) after running the completion routines queued to this thread, else 0.
   *
   * Linux: completion routines that wait alertably inside themselves nest at most 128 deep; see
   * [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  SleepEx(dwMilliseconds: number, bAlertable: boolean | number): number;
  /**
   * The async twin of SleepEx: same arguments, same result, without blocking the event loop.
   */
  SleepExAsync(dwMilliseconds: number, bAlertable: boolean | number): Promise<number>;
  /**
   * `BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait, LPDWORD lpdwFlags)`
   *
   * Reports the result of an overlapped operation on `s`: TRUE with the byte count and flags when
   * it succeeded, else FALSE with its error as the last error (WSA_IO_INCOMPLETE while it is still
   * pending and `fWait` is FALSE). The error comes from the NTSTATUS in `lpOverlapped.Internal`.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAENOTSOCK, WSA_INVALID_HANDLE,
   * WSA_INVALID_PARAMETER, WSA_IO_INCOMPLETE, WSAEFAULT; or the operation's own error.
   *
   * Linux: an informational success status gives the last error 0, as Windows before 10 1809; see
   * [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSAGetOverlappedResult(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null): boolean;
  /**
   * The async twin of WSAGetOverlappedResult: same arguments and out-parameters, same result,
   * without blocking the event loop.
   */
  WSAGetOverlappedResultAsync(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null): Promise<boolean>;
  /**
   * `HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads)`
   *
   * kernel32: with FileHandle INVALID_HANDLE_VALUE and ExistingCompletionPort 0, makes a new
   * completion port; with a socket, associates it with a port under `CompletionKey`. Returns the
   * port, or NULL (0) with the Win32 error as the last error.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_PARAMETER, ERROR_INVALID_HANDLE.
   *
   * Linux: a port belongs to the JS thread that made it; see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  CreateIoCompletionPort(FileHandle: HANDLE, ExistingCompletionPort: HANDLE, CompletionKey: number, NumberOfConcurrentThreads: number): HANDLE;
  /**
   * `BOOL GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred, PULONG_PTR lpCompletionKey, LPOVERLAPPED *lpOverlapped, DWORD dwMilliseconds)`
   *
   * kernel32: dequeues one completion packet, waiting up to `dwMilliseconds`. TRUE for a successful
   * operation's packet; FALSE with `*lpOverlapped` set for a failed one (the last error is
   * RtlNtStatusToDosError of its status), or FALSE with `*lpOverlapped` null on time-out
   * (WAIT_TIMEOUT).
   *
   * Win32 errors (GetLastError): WAIT_TIMEOUT, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER,
   * ERROR_ABANDONED_WAIT_0 (the port was closed during the wait); or the Win32 error of a failed
   * operation.
   */
  GetQueuedCompletionStatus(CompletionPort: HANDLE, lpNumberOfBytesTransferred: Ref<number> | null, lpCompletionKey: Ref<number> | null, lpOverlapped: Ref<WSAOVERLAPPED | null> | null, dwMilliseconds: number): boolean;
  /**
   * The async twin of GetQueuedCompletionStatus: same arguments and out-parameters, same result,
   * without blocking the event loop.
   */
  GetQueuedCompletionStatusAsync(CompletionPort: HANDLE, lpNumberOfBytesTransferred: Ref<number> | null, lpCompletionKey: Ref<number> | null, lpOverlapped: Ref<WSAOVERLAPPED | null> | null, dwMilliseconds: number): Promise<boolean>;
  /**
   * `BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred, ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped)`
   *
   * kernel32: queues a packet of your own to a completion port. Returns TRUE, or FALSE with the
   * last error set.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER.
   */
  PostQueuedCompletionStatus(CompletionPort: HANDLE, dwNumberOfBytesTransferred: number, dwCompletionKey: number, lpOverlapped: WSAOVERLAPPED | null): boolean;
  /**
   * Not a Winsock function: a number for `lpOverlapped` that is the same in every JS thread of the
   * process, where C would use the OVERLAPPED's address (CONTAINING_RECORD). Key a per-operation
   * context by it. Stable for the object's life; distinct objects alive at once have distinct ids;
   * never 0. Returns 0 with ERROR_INVALID_PARAMETER for what is not an object (NULL included);
   * on success the last error is left alone.
   *
   * Linux: a packet dequeued in a thread other than the one that queued it carries a stand-in
   * WSAOVERLAPPED (an object cannot cross JS threads); the stand-in has its original's id. Ids
   * are never reused. Windows: the address of a small native block kept for the object's life
   * (freed after it is collected, so a later object may get the address again, as in C); a packet
   * dequeued in another thread gives lpOverlapped NULL there, so no stand-in exists to compare.
   * See [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  overlappedId(lpOverlapped: WSAOVERLAPPED): number;
  /**
   * `BOOL CloseHandle(HANDLE hObject)`
   *
   * kernel32: closes an event, a completion port, a socket or a file handle (CreateFileW). A file
   * handle from `_get_osfhandle` belongs to Node's fd: it is only forgotten, the fd stays open.
   * Returns TRUE, or FALSE with the last error set.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_HANDLE.
   */
  CloseHandle(hObject: HANDLE): boolean;
  /**
   * `BOOL CancelIo(HANDLE hFile)`
   *
   * kernel32: cancels the pending overlapped operations this thread issued on a socket; each
   * completes with WSA_OPERATION_ABORTED (STATUS_CANCELLED). Returns TRUE, or FALSE with the last
   * error set.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_HANDLE.
   */
  CancelIo(hFile: HANDLE): boolean;
  /**
   * `BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)`
   *
   * kernel32: cancels one pending overlapped operation on a socket (`lpOverlapped`), or all of them
   * from every thread (null). Returns TRUE, or FALSE with the last error set.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_HANDLE, ERROR_NOT_FOUND (nothing to cancel).
   */
  CancelIoEx(hFile: HANDLE, lpOverlapped: WSAOVERLAPPED | null): boolean;
  /**
   * `int WSAEventSelect(SOCKET s, WSAEVENT hEventObject, long lNetworkEvents)`
   *
   * Records the network events `lNetworkEvents` (FD_READ, FD_WRITE, FD_ACCEPT ...) of `s` and
   * signals `hEventObject` when one is recorded; puts the socket in non-blocking mode. 0 clears the
   * selection. Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINVAL, WSAEINPROGRESS, WSAENOTSOCK.
   *
   * Linux: the kernel's readiness changes become recorded events at the next point the program
   * could see them, and a second urgent byte is not recorded again; see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSAEventSelect(s: SOCKET, hEventObject: WSAEVENT, lNetworkEvents: number): number;
  /**
   * `int WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject, LPWSANETWORKEVENTS lpNetworkEvents)`
   *
   * Reports and clears the network events recorded for `s` (with an error per event in
   * `iErrorCode[FD_X_BIT]`), and resets `hEventObject` when given. Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINVAL, WSAEINPROGRESS, WSAENOTSOCK,
   * WSAEFAULT.
   */
  WSAEnumNetworkEvents(s: SOCKET, hEventObject: WSAEVENT, lpNetworkEvents: WSANETWORKEVENTS | null): number;
}

/**
 * WSAAsyncSelect and what it needs (winsock2.h / winuser.h / synchapi.h): message-only windows, the
 * thread's message queue, and the kernel32 / user32 waits the WSAIoctl page names
 * (WaitForSingleObjectEx, WaitForMultipleObjectsEx, MsgWaitForMultipleObjectsEx). A window
 * belongs to the JS thread that created it, and so do the messages posted to it; a C-style loop
 * (PeekMessageW / GetMessageW, DispatchMessageW) sees them without returning to Node's event loop.
 * Failures set the last error (GetLastError). Each `...Async` twin takes the same arguments, fills
 * the same out-parameters and resolves with the same value, without blocking the event loop.
 *
 * Linux: windows are message-only whatever their parent, there is no CREATESTRUCT and no cursor;
 * see [the README](../../README.md#where-the-linux-emulation-approximates-windows).
 */
export interface WinsockMessages {
  /**
   * `int WSAAsyncSelect(SOCKET s, HWND hWnd, u_int wMsg, long lEvent)`
   *
   * Posts message `wMsg` to `hWnd` for each network event of `lEvent` (FD_READ ... FD_CLOSE,
   * FD_ROUTING_INTERFACE_CHANGE, FD_ADDRESS_LIST_CHANGE) on `s`: wParam the socket, lParam
   * WSAMAKESELECTREPLY(event, error), one message per event. An event is posted again only after its
   * re-enabling call (recv for FD_READ / FD_OOB, send for FD_WRITE, accept for FD_ACCEPT, the
   * matching WSAIoctl for the two change events), even one that fails, and then at once if its
   * condition still holds. Replaces any earlier WSAAsyncSelect or WSAEventSelect on `s`; selecting
   * again posts every condition that still holds; `lEvent` 0 stops the posting (queued messages
   * stay). Makes the socket non-blocking (FIONBIO back to blocking then fails with WSAEINVAL). A
   * socket accepted from `s` has the same selection. Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINVAL (a window that does not exist, a bad
   * parameter), WSAEINPROGRESS, WSAENOTSOCK.
   */
  WSAAsyncSelect(s: SOCKET, hWnd: HWND, wMsg: number, lEvent: number): number;
  /**
   * `DWORD WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable)`
   *
   * kernel32: waits until the object is signalled (WAIT_OBJECT_0), the time is up (WAIT_TIMEOUT)
   * or, when alertable, completion routines ran (WAIT_IO_COMPLETION); WAIT_FAILED with the last
   * error otherwise. A signalled object is reported before due completion routines.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_HANDLE.
   *
   * Linux: the waitable objects are events and socket handles (signalled when an overlapped
   * operation on the socket completes); see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WaitForSingleObjectEx(hHandle: HANDLE, dwMilliseconds: number, bAlertable: boolean | number): number;
  /** The async twin of WaitForSingleObjectEx. */
  WaitForSingleObjectExAsync(hHandle: HANDLE, dwMilliseconds: number, bAlertable: boolean | number): Promise<number>;
  /**
   * `DWORD WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds, BOOL bAlertable)`
   *
   * kernel32: waits for one (WAIT_OBJECT_0 + the lowest signalled index) or, with `bWaitAll`, all
   * of 1..MAXIMUM_WAIT_OBJECTS objects; WAIT_TIMEOUT, WAIT_IO_COMPLETION (alertable), or
   * WAIT_FAILED with the last error.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_PARAMETER (nCount 0 or above 64, a list shorter
   * than nCount, an object named twice with bWaitAll), ERROR_INVALID_HANDLE.
   */
  WaitForMultipleObjectsEx(nCount: number, lpHandles: readonly HANDLE[] | null, bWaitAll: boolean | number, dwMilliseconds: number, bAlertable: boolean | number): number;
  /** The async twin of WaitForMultipleObjectsEx. */
  WaitForMultipleObjectsExAsync(nCount: number, lpHandles: readonly HANDLE[] | null, bWaitAll: boolean | number, dwMilliseconds: number, bAlertable: boolean | number): Promise<number>;
  /**
   * `DWORD MsgWaitForMultipleObjectsEx(DWORD nCount, const HANDLE *pHandles, DWORD dwMilliseconds, DWORD dwWakeMask, DWORD dwFlags)`
   *
   * user32: waits for 0..MAXIMUM_WAIT_OBJECTS - 1 objects or for input of a kind in `dwWakeMask`
   * (QS_POSTMESSAGE, QS_ALLPOSTMESSAGE ...): WAIT_OBJECT_0 + index for an object, WAIT_OBJECT_0 +
   * nCount for input that arrived since the thread last looked at its queue (any queued input with
   * MWMO_INPUTAVAILABLE), WAIT_IO_COMPLETION with MWMO_ALERTABLE, WAIT_TIMEOUT, WAIT_FAILED.
   * MWMO_WAITALL waits for every object together with input.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_PARAMETER, ERROR_INVALID_HANDLE.
   */
  MsgWaitForMultipleObjectsEx(nCount: number, pHandles: readonly HANDLE[] | null, dwMilliseconds: number, dwWakeMask: number, dwFlags: number): number;
  /** The async twin of MsgWaitForMultipleObjectsEx. */
  MsgWaitForMultipleObjectsExAsync(nCount: number, pHandles: readonly HANDLE[] | null, dwMilliseconds: number, dwWakeMask: number, dwFlags: number): Promise<number>;
  /**
   * `ATOM RegisterClassExW(const WNDCLASSEXW *lpwcx)`
   *
   * user32: registers a window class whose window procedure is `lpfnWndProc` (a JS function).
   * Returns the class atom, or 0 with the last error set.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_PARAMETER (cbSize not WNDCLASSEXW_SIZE, no name or
   * procedure), ERROR_CLASS_ALREADY_EXISTS.
   */
  RegisterClassExW(lpwcx: WNDCLASSEXW | null): number;
  /**
   * `BOOL UnregisterClassW(LPCWSTR lpClassName, HINSTANCE hInstance)`
   *
   * user32: unregisters a class (by name or atom) that has no window left.
   *
   * Win32 errors (GetLastError): ERROR_CLASS_DOES_NOT_EXIST, ERROR_CLASS_HAS_WINDOWS.
   */
  UnregisterClassW(lpClassName: string | number | null, hInstance: HANDLE): boolean;
  /**
   * `HWND CreateWindowExW(DWORD dwExStyle, LPCWSTR lpClassName, LPCWSTR lpWindowName, DWORD dwStyle, int X, int Y, int nWidth, int nHeight, HWND hWndParent, HMENU hMenu, HINSTANCE hInstance, LPVOID lpParam)`
   *
   * user32: creates a window of a registered class (or the system class "Message"); with
   * `hWndParent` HWND_MESSAGE a message-only window, which is all WSAAsyncSelect needs. Its
   * procedure gets WM_NCCREATE and WM_CREATE before the call returns. Returns the window, or 0 with
   * the last error set.
   *
   * Win32 errors (GetLastError): ERROR_CANNOT_FIND_WND_CLASS, ERROR_INVALID_WINDOW_HANDLE (parent).
   */
  CreateWindowExW(
    dwExStyle: number, lpClassName: string | number | null, lpWindowName: string | null, dwStyle: number,
    X: number, Y: number, nWidth: number, nHeight: number, hWndParent: HWND, hMenu: HANDLE, hInstance: HANDLE, lpParam: null,
  ): HWND;
  /**
   * `BOOL DestroyWindow(HWND hWnd)`
   *
   * user32: sends WM_DESTROY and WM_NCDESTROY to the window procedure and destroys the window.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_WINDOW_HANDLE.
   */
  DestroyWindow(hWnd: HWND): boolean;
  /**
   * `LRESULT DefWindowProcW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)`
   *
   * user32: the default processing of a message (TRUE for WM_NCCREATE, WM_CLOSE destroys the
   * window, 0 for the rest here).
   */
  DefWindowProcW(hWnd: HWND, Msg: number, wParam: number, lParam: number): number;
  /**
   * `BOOL PostMessageW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)`
   *
   * user32: queues a message for a window of this thread (hWnd NULL: a thread message) and returns
   * at once.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_WINDOW_HANDLE, ERROR_NOT_ENOUGH_QUOTA (10,000
   * messages already queued).
   */
  PostMessageW(hWnd: HWND, Msg: number, wParam: number, lParam: number): boolean;
  /**
   * `void PostQuitMessage(int nExitCode)`
   *
   * user32: GetMessageW returns 0 with WM_QUIT (wParam `nExitCode`) once no posted message is left.
   */
  PostQuitMessage(nExitCode: number): void;
  /**
   * `BOOL PeekMessageW(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax, UINT wRemoveMsg)`
   *
   * user32: copies the next message for `hWnd` (NULL: any of this thread; -1: thread messages only)
   * whose number is in the filter (0, 0: any) into `lpMsg`, and removes it with PM_REMOVE. Never
   * waits. TRUE when a message was there, else FALSE.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_WINDOW_HANDLE.
   */
  PeekMessageW(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number, wRemoveMsg: number): boolean;
  /**
   * `BOOL GetMessageW(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax)`
   *
   * user32: takes the next message as PeekMessageW(PM_REMOVE) does, waiting (not alertably) until
   * one comes. Returns non-zero, 0 for WM_QUIT, -1 on error.
   *
   * Win32 errors (GetLastError): ERROR_INVALID_WINDOW_HANDLE.
   */
  GetMessageW(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number): number;
  /** The async twin of GetMessageW. */
  GetMessageWAsync(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number): Promise<number>;
  /**
   * `BOOL TranslateMessage(const MSG *lpMsg)`
   *
   * user32: turns key messages into character messages; TRUE when it did (never for the messages
   * WSAAsyncSelect posts).
   */
  TranslateMessage(lpMsg: MSG | null): boolean;
  /**
   * `LRESULT DispatchMessageW(const MSG *lpMsg)`
   *
   * user32: calls the window procedure of `lpMsg.hwnd` with the message and returns what it
   * returns (0 for a thread message).
   */
  DispatchMessageW(lpMsg: MSG | null): number;
}

/**
 * The data path (winsock2.h / kernel32): scatter / gather receive and send in every calling mode
 * (blocking, non-blocking, overlapped with an event, a completion routine or a completion port),
 * readiness (select, WSAPoll) and the completion notification modes.
 *
 * - `lpBuffers` is an array of WSABUF; its first `dwBufferCount` entries count. The buffers are
 *   the caller's memory: an overlapped receive writes into them when it completes, so they must
 *   be kept (and not reused) until then, as in C.
 * - A call that completes at once returns 0 and writes the byte count (and, for a receive, the
 *   flags); one that pends returns SOCKET_ERROR with WSA_IO_PENDING and writes neither (the
 *   byte count Ref may then be null); either way an overlapped call is delivered once, by its
 *   event, routine or completion port.
 * - `lpFrom` / `lpTo` are sockaddr bytes (SOCKADDR_IN / SOCKADDR_IN6); `lpFromlen` holds the size
 *   of `lpFrom` and receives the address length.
 * - select() keeps in each fd_set only the sockets that are ready and returns how many entries
 *   remain in all three; `timeout` null waits forever. WSAPoll() writes each WSAPOLLFD's
 *   `revents` and returns how many have any; `timeout` < 0 waits forever. Their `...Async` twins
 *   take the same arguments and resolve with the same value, without blocking the event loop.
 */
export interface WinsockDataPath {
  /**
   * `int WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)`
   *
   * Receives into a list of buffers, in any calling mode (see the interface). Returns 0, or
   * SOCKET_ERROR (WSA_IO_PENDING for an overlapped call that completes later).
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAECONNABORTED, WSAECONNRESET, WSAEDISCON,
   * WSAEFAULT, WSAEINPROGRESS, WSAEINTR, WSAEINVAL, WSAEMSGSIZE, WSAENETRESET, WSAENOTCONN,
   * WSAENOTSOCK, WSAEOPNOTSUPP, WSAESHUTDOWN, WSAETIMEDOUT, WSAEWOULDBLOCK, WSA_IO_PENDING,
   * WSA_OPERATION_ABORTED.
   *
   * Linux: pending transfers complete while the issuing thread waits, and MSG_PARTIAL is never
   * reported; see [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSARecv(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null, lpFlags: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  /**
   * `int WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent, DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)`
   *
   * Sends a list of buffers, in any calling mode (see the interface). Returns 0, or SOCKET_ERROR
   * (WSA_IO_PENDING for an overlapped call that completes later).
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAECONNABORTED, WSAECONNRESET, WSAEFAULT,
   * WSAEINTR, WSAEINPROGRESS, WSAEINVAL, WSAEMSGSIZE, WSAENETRESET, WSAENOBUFS, WSAENOTCONN,
   * WSAENOTSOCK, WSAEOPNOTSUPP, WSAESHUTDOWN, WSAEWOULDBLOCK, WSA_IO_PENDING,
   * WSA_OPERATION_ABORTED.
   *
   * Linux: a pending send's data is copied when it is issued (Windows reads the buffers later); see
   * [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSASend(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null, dwFlags: number, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  /**
   * `int WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, struct sockaddr *lpFrom, LPINT lpFromlen, LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)`
   *
   * WSARecv that also reports the sender's address (datagram sockets). Returns 0, or SOCKET_ERROR.
   *
   * Windows errors: those of WSARecv, and WSAEFAULT when `lpFromlen` is too small for the address.
   */
  WSARecvFrom(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null, lpFlags: Ref<number> | null, lpFrom: Uint8Array | null, lpFromlen: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  /**
   * `int WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent, DWORD dwFlags, const struct sockaddr *lpTo, int iTolen, LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)`
   *
   * WSASend to the address `lpTo` (datagram sockets). Returns 0, or SOCKET_ERROR.
   *
   * Windows errors: those of WSASend, and WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAEDESTADDRREQ,
   * WSAEHOSTUNREACH, WSAENETUNREACH, WSAEACCES (broadcast without SO_BROADCAST).
   */
  WSASendTo(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null, dwFlags: number, lpTo: Uint8Array | null, iTolen: number, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  /**
   * `int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, const struct timeval *timeout)`
   *
   * Waits until a socket in the sets is readable, writable or has an exception, and keeps only the
   * ready ones in each set. `nfds` is ignored, as on Windows. Returns the number of ready entries,
   * 0 on time-out, or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAEFAULT, WSAENETDOWN, WSAEINVAL (all three sets empty or
   * null, or a bad timeout), WSAEINTR, WSAEINPROGRESS, WSAENOTSOCK.
   *
   * Linux: Linux readiness is mapped to Windows' meaning (an unconnected stream socket is in no
   * set); see [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  select(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): number;
  /**
   * The async twin of select: same arguments, same result, without blocking the event loop.
   */
  selectAsync(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): Promise<number>;
  /**
   * `int WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout)`
   *
   * Writes each WSAPOLLFD's `revents` (POLLRDNORM, POLLWRNORM, POLLHUP ...) and returns how many
   * have any, 0 on time-out, or SOCKET_ERROR. `timeout` < 0 waits forever.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEFAULT, WSAEINVAL, WSAENOBUFS.
   *
   * Linux: POLLHUP is reported once the peer has closed its side; see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSAPoll(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): number;
  /**
   * The async twin of WSAPoll: same arguments, same result, without blocking the event loop.
   */
  WSAPollAsync(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): Promise<number>;
  /** kernel32: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS / FILE_SKIP_SET_EVENT_ON_HANDLE on a socket (a BOOL). */
  SetFileCompletionNotificationModes(FileHandle: HANDLE, Flags: number): boolean;
}

/**
 * Files and their transmission over a socket (fileapi.h / mswsock.h): CreateFileW and a HANDLE for
 * a Node fd give the file HANDLEs that TransmitFile and TransmitPackets send from (CloseHandle
 * closes them). Both transmit functions are the mswsock.dll extension functions, called by name.
 *
 * - Overlapped: with a WSAOVERLAPPED on an overlapped socket, TransmitFile and TransmitPackets
 *   always pend (FALSE with ERROR_IO_PENDING) and complete through the event, the completion port or
 *   the completion routine with the bytes sent (head + file + tail); the file data is read at the
 *   OVERLAPPED's `Offset` / `OffsetHigh`. Without one they block until every byte is sent and read
 *   from the file pointer.
 * - Order on the wire: head, file, tail; elements in array order.
 */
export interface WinsockTransmit {
  /**
   * `HANDLE CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode, LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)`
   *
   * kernel32: opens (or creates) a file: GENERIC_READ / GENERIC_WRITE access, FILE_SHARE_* modes,
   * CREATE_NEW ... TRUNCATE_EXISTING, FILE_ATTRIBUTE_NORMAL with FILE_FLAG_OVERLAPPED /
   * FILE_FLAG_SEQUENTIAL_SCAN. Returns the file HANDLE, or INVALID_HANDLE_VALUE (-1) with the last
   * error set. OPEN_ALWAYS / CREATE_ALWAYS on an existing file succeed with ERROR_ALREADY_EXISTS.
   *
   * Win32 errors (GetLastError): ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_ACCESS_DENIED,
   * ERROR_FILE_EXISTS, ERROR_INVALID_PARAMETER, ERROR_TOO_MANY_OPEN_FILES, ERROR_SHARING_VIOLATION.
   *
   * Linux: the name is a Linux path, share modes and security attributes are not enforced, and a
   * file handle belongs to the JS thread that opened it; see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  CreateFileW(lpFileName: string | null, dwDesiredAccess: number, dwShareMode: number, lpSecurityAttributes: null,
    dwCreationDisposition: number, dwFlagsAndAttributes: number, hTemplateFile: HANDLE): HANDLE;
  /**
   * `intptr_t _get_osfhandle(int fd)`
   *
   * The C runtime's: the file HANDLE behind a Node file descriptor (`fs.openSync`), for
   * TransmitFile / TransmitPackets. The same fd gives the same HANDLE while it is open. The fd
   * stays Node's: CloseHandle on the HANDLE does not close it (close it with `fs.closeSync`).
   * Returns the HANDLE, or INVALID_HANDLE_VALUE (-1) with ERROR_INVALID_HANDLE for an fd that is not
   * open. Windows: the HANDLE libuv holds for the fd (node.exe's `uv_get_osfhandle`).
   */
  _get_osfhandle(fd: number): HANDLE;
}

/**
 * The extension functions SIO_GET_EXTENSION_FUNCTION_POINTER hands out (mswsock.h), also exported
 * by name (as mswsock.dll exports AcceptEx and GetAcceptExSockaddrs). Their pointers become these
 * functions through the `LPFN_*` casts (winsock/index.ts); the table of them is
 * winsock/extension-functions.ts. Each is overlapped-only in the Windows sense: the result comes
 * through the WSAOVERLAPPED's event, the completion port of the socket named first, or
 * WSAGetOverlappedResult. BOOL results are JS booleans; FALSE sets the last error
 * (WSA_IO_PENDING = ERROR_IO_PENDING = 997 for a started operation).
 */
export interface WinsockExtensions {
  /**
   * `BOOL AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer, DWORD dwReceiveDataLength, DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived, LPOVERLAPPED lpOverlapped)`
   *
   * Accepts the next connection of the listening socket into `sAcceptSocket` (a fresh, unbound TCP
   * socket of the same family), then, when `dwReceiveDataLength` is not 0, waits for the first
   * data and puts it at the start of `lpOutputBuffer`; the local and remote addresses follow, in
   * areas of `dwLocalAddressLength` and `dwRemoteAddressLength` bytes (at least 16 more than the
   * address: read them with GetAcceptExSockaddrs). Returns FALSE with ERROR_IO_PENDING and
   * completes later on the listener (its event, its completion port and key); a peer that closes
   * before sending completes it with 0 bytes. `lpOutputBuffer` is written at completion: keep it.
   * Then `setsockopt(sAcceptSocket, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, listenerAs8Bytes, 8)`.
   *
   * Errors (FALSE, `Internal` = STATUS_PENDING when an OVERLAPPED was given): ERROR_INVALID_PARAMETER
   * (no OVERLAPPED), WSAENOTSOCK, WSAEINVAL (listener not listening; accept socket bound,
   * connected, not TCP, or already in a pending AcceptEx), WSAEFAULT (no remote area, a buffer
   * shorter than the three lengths). At completion: STATUS_BUFFER_TOO_SMALL
   * (ERROR_INSUFFICIENT_BUFFER; the connection stays queued) for an address area too small,
   * ERROR_OPERATION_ABORTED when the listener or the accept socket is closed meanwhile.
   *
   * Linux: the connection's fd is moved under the accept socket's handle; see
   * [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  AcceptEx(sListenSocket: SOCKET, sAcceptSocket: SOCKET, lpOutputBuffer: Uint8Array | null, dwReceiveDataLength: number,
    dwLocalAddressLength: number, dwRemoteAddressLength: number, lpdwBytesReceived: Ref<number> | null,
    lpOverlapped: WSAOVERLAPPED | null): boolean;
  /**
   * `void GetAcceptExSockaddrs(PVOID lpOutputBuffer, DWORD dwReceiveDataLength, DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength, sockaddr **LocalSockaddr, LPINT LocalSockaddrLength, sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength)`
   *
   * Finds the two addresses an AcceptEx wrote into its output buffer (pass the same three lengths).
   * Each `...Sockaddr` Ref gets a view of `lpOutputBuffer` holding the sockaddr (as C gets a
   * pointer into the buffer), each `...Length` Ref its size. A local length of 0 leaves the local
   * pair untouched. Returns nothing; arguments C could not pass (a buffer shorter than the lengths,
   * Refs that cannot be written) change nothing and set WSAEFAULT.
   */
  GetAcceptExSockaddrs(lpOutputBuffer: Uint8Array | null, dwReceiveDataLength: number, dwLocalAddressLength: number,
    dwRemoteAddressLength: number, LocalSockaddr: Ref<Uint8Array | null> | null, LocalSockaddrLength: Ref<number> | null,
    RemoteSockaddr: Ref<Uint8Array | null> | null, RemoteSockaddrLength: Ref<number> | null): void;
  /**
   * `BOOL ConnectEx(SOCKET s, const sockaddr *name, int namelen, PVOID lpSendBuffer, DWORD dwSendDataLength, LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped)`
   *
   * Connects a bound TCP socket and then sends `lpSendBuffer` (optional). Returns FALSE with
   * ERROR_IO_PENDING, even on loopback; completes with the bytes sent, or with
   * STATUS_CONNECTION_REFUSED (ERROR_CONNECTION_REFUSED from the port, WSAECONNREFUSED from
   * WSAGetOverlappedResult). Then `setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, null, 0)`.
   * `lpdwBytesSent` may be null.
   *
   * Errors (FALSE, `Internal` = STATUS_PENDING): ERROR_INVALID_PARAMETER (no OVERLAPPED),
   * WSAENOTSOCK, WSAEINVAL (not bound, listening, a connect in progress, the accept socket of a
   * pending AcceptEx), WSAEISCONN, WSAEFAULT (`namelen` too small), WSAEAFNOSUPPORT.
   */
  ConnectEx(s: SOCKET, name: Uint8Array | null, namelen: number, lpSendBuffer: Uint8Array | null, dwSendDataLength: number,
    lpdwBytesSent: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null): boolean;
  /**
   * `BOOL DisconnectEx(SOCKET s, LPOVERLAPPED lpOverlapped, DWORD dwFlags, DWORD dwReserved)`
   *
   * Closes the sending side of a connection (the peer reads end of file; the socket still
   * receives). With TF_REUSE_SOCKET it also waits for the peer to close, then leaves the socket
   * unconnected so AcceptEx or ConnectEx can use it again. With an OVERLAPPED: always FALSE with
   * ERROR_IO_PENDING, then a completion of 0 bytes; without one: TRUE when done.
   *
   * Errors: WSAENOTSOCK, WSAENOTCONN, WSAEINVAL (flags other than 0 / TF_REUSE_SOCKET, `dwReserved`
   * not 0).
   */
  DisconnectEx(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, dwFlags: number, dwReserved: number): boolean;
  /**
   * `int WSARecvMsg(SOCKET s, LPWSAMSG lpMsg, LPDWORD lpdwNumberOfBytesRecvd, LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)`
   *
   * Receives a datagram with its control data (mswsock.h; on Windows only reachable through
   * SIO_GET_EXTENSION_FUNCTION_POINTER with WSAID_WSARECVMSG, which this backend does for you).
   * The data goes into `lpMsg.lpBuffers`, the sender's address into `lpMsg.name` (`namelen`
   * written back), the records the enabled options ask for (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS,
   * IP_ECN, IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_RECVTCLASS, IPV6_ECN) into `lpMsg.Control`
   * (`Control.len` written back; walk them with WSA_CMSG_FIRSTHDR / WSA_CMSG_NXTHDR), and
   * MSG_TRUNC / MSG_CTRUNC into `lpMsg.dwFlags`. Any calling mode, as WSARecv. Returns 0, or
   * SOCKET_ERROR.
   *
   * Windows errors: WSAEFAULT (`lpMsg` null, `name` null with a `namelen`, `Control.buf` null with
   * a `Control.len`), WSAEMSGSIZE (the datagram or its control records did not fit: MSG_TRUNC /
   * MSG_CTRUNC; overlapped, a completion with STATUS_BUFFER_OVERFLOW), WSAECONNRESET,
   * WSAEINVAL, WSAENETDOWN, WSAENOTSOCK, WSAETIMEDOUT, WSAEWOULDBLOCK, WSA_IO_PENDING,
   * WSA_OPERATION_ABORTED.
   *
   * Linux: records are translated from Linux's (numbers, layouts); a stream socket fails with
   * WSAEINVAL; see [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSARecvMsg(s: SOCKET, lpMsg: WSAMSG | null, lpdwNumberOfBytesRecvd: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  /**
   * `int WSASendMsg(SOCKET Handle, LPWSAMSG lpMsg, DWORD dwFlags, LPDWORD lpNumberOfBytesSent, LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)`
   *
   * Sends `lpMsg.lpBuffers` as one datagram to `lpMsg.name` (or the connected peer), with control
   * records: an IP_PKTINFO / IPV6_PKTINFO record picks the source address (and interface) the
   * datagram leaves from; IP_ECN / IPV6_ECN set its ECN codepoint. `dwFlags` may hold
   * MSG_DONTROUTE, MSG_PARTIAL, MSG_OOB; `lpMsg.dwFlags` is ignored. An unbound socket is bound
   * first, as sendto does. Any calling mode, as WSASend. Returns 0, or SOCKET_ERROR.
   *
   * Windows errors: WSAEFAULT (`lpMsg` null; `lpNumberOfBytesSent` null without an OVERLAPPED),
   * WSAEINVAL (a stream socket), WSAENOTSOCK, WSAEMSGSIZE, WSAEADDRNOTAVAIL, WSAENETUNREACH,
   * WSAEOPNOTSUPP, WSAEWOULDBLOCK, WSA_IO_PENDING, WSA_OPERATION_ABORTED.
   */
  WSASendMsg(Handle: SOCKET, lpMsg: WSAMSG | null, dwFlags: number, lpNumberOfBytesSent: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  /**
   * `BOOL TransmitFile(SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite, DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped, LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers, DWORD dwReserved)`
   *
   * mswsock: sends the head buffer, `nNumberOfBytesToWrite` bytes of the file (0: to its end) and
   * the tail buffer over a connected stream socket; `hFile` 0 sends the buffers only. `dwReserved`
   * holds the flags: TF_DISCONNECT (shut the sending side down after the data), TF_REUSE_SOCKET
   * (with TF_DISCONNECT), TF_WRITE_BEHIND, TF_USE_*. Returns TRUE, or FALSE with the last error
   * (ERROR_IO_PENDING for an overlapped call, which always pends).
   *
   * Windows errors: WSAENOTSOCK, WSAENOTCONN (not connected; a datagram socket), WSAESHUTDOWN,
   * WSAEINVAL (bad flags, an offset past the end of the file, more than 2 147 483 646 bytes),
   * WSAEFAULT, WSA_IO_PENDING, WSA_OPERATION_ABORTED.
   *
   * Linux: the file part is sent with sendfile(2); see [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  TransmitFile(hSocket: SOCKET, hFile: HANDLE, nNumberOfBytesToWrite: number, nNumberOfBytesPerSend: number,
    lpOverlapped: WSAOVERLAPPED | null, lpTransmitBuffers: TRANSMIT_FILE_BUFFERS | null, dwReserved: number): boolean;
  /**
   * `BOOL TransmitPackets(SOCKET hSocket, LPTRANSMIT_PACKETS_ELEMENT lpPacketArray, DWORD nElementCount, DWORD nSendSize, LPOVERLAPPED lpOverlapped, DWORD dwFlags)`
   *
   * mswsock (through SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_TRANSMITPACKETS): sends the first
   * `nElementCount` elements in order, memory and file elements alike, over a connected socket
   * (a datagram socket: one datagram per group of elements ended by TP_ELEMENT_EOP or the last).
   * Flags as TransmitFile's (TP_*). Returns TRUE, or FALSE with the last error (ERROR_IO_PENDING for
   * an overlapped call, which always pends).
   *
   * Windows errors: WSAENOTSOCK, WSAENOTCONN, WSAESHUTDOWN, WSAEINVAL (bad flags or elements,
   * TF_DISCONNECT on a datagram socket, more than 2 147 483 646 bytes), WSAEFAULT, WSA_IO_PENDING,
   * WSA_OPERATION_ABORTED.
   *
   * Linux: file elements are sent with sendfile(2); see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows). Wine has no
   * TransmitPackets: under Wine the Windows backend fails it with WSAEOPNOTSUPP.
   */
  TransmitPackets(hSocket: SOCKET, lpPacketArray: readonly TRANSMIT_PACKETS_ELEMENT[] | null, nElementCount: number,
    nSendSize: number, lpOverlapped: WSAOVERLAPPED | null, dwFlags: number): boolean;
}

/**
 * The whole contract: every backend implements every function (`winsock/index.ts` exports each
 * backend function behind the one argument guard, so no exception escapes it).
 */
export interface WinsockCore extends WinsockOverlapped, WinsockDataPath, WinsockExtensions, WinsockTransmit, WinsockMessages {
  /** Which backend this is: the Linux emulation or the pass-through to ws2_32.dll. */
  readonly backendName: 'linux-emulation' | 'windows-ws2_32';

  /**
   * `int WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)`
   *
   * Starts Winsock for the process (counted: each successful call needs a WSACleanup). Ask for
   * `MAKEWORD(2, 2)` and pass a WSADATA to fill. Returns 0, or the error itself (WSAStartup does
   * not set the last error).
   *
   * Windows errors: WSASYSNOTREADY, WSAVERNOTSUPPORTED, WSAEINPROGRESS, WSAEPROCLIM, WSAEFAULT
   * (`lpWSAData` null).
   */
  WSAStartup(wVersionRequested: number, lpWSAData: WSADATA | null): number;
  /**
   * `int WSACleanup(void)`
   *
   * Ends one WSAStartup; the last one closes every socket still open. Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINPROGRESS.
   */
  WSACleanup(): number;
  /**
   * `int WSAGetLastError(void)`
   *
   * The calling thread's last error (the slot GetLastError reads too).
   */
  WSAGetLastError(): number;
  /**
   * `void WSASetLastError(int iError)`
   *
   * Sets the calling thread's last error.
   */
  WSASetLastError(iError: number): void;
  /**
   * `DWORD GetLastError(void)`
   *
   * kernel32: the calling thread's last error (the same slot as WSAGetLastError).
   */
  GetLastError(): number;
  /**
   * `void SetLastError(DWORD dwErrCode)`
   *
   * kernel32: sets the calling thread's last error.
   */
  SetLastError(dwErrCode: number): void;

  /**
   * `SOCKET socket(int af, int type, int protocol)`
   *
   * Creates a socket (Windows values: AF_INET6 is 23), overlapped-capable and blocking. Returns it,
   * or INVALID_SOCKET.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEAFNOSUPPORT, WSAEINPROGRESS, WSAEMFILE,
   * WSAEINVAL, WSAENOBUFS, WSAEPROTONOSUPPORT, WSAEPROTOTYPE, WSAESOCKTNOSUPPORT, and WSAEACCES for
   * a SOCK_RAW socket without administrator rights (Linux: without CAP_NET_RAW).
   *
   * Linux: the SIO_RCVALL sockets (SOCK_RAW with IPPROTO_IP, or AF_INET6 with IPPROTO_IPV6) are
   * backed by an IPPROTO_RAW socket; see
   * [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  socket(af: number, type: number, protocol: number): SOCKET;
  /**
   * `SOCKET WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g, DWORD dwFlags)`
   *
   * socket with flags (WSA_FLAG_OVERLAPPED, WSA_FLAG_NO_HANDLE_INHERIT ...). `lpProtocolInfo` must
   * be null and `g` 0 here. Returns the socket, or INVALID_SOCKET.
   *
   * Windows errors: those of socket, and WSAEINVAL (`g` not valid).
   */
  WSASocketW(af: number, type: number, protocol: number, lpProtocolInfo: null, g: number, dwFlags: number): SOCKET;
  /**
   * `int closesocket(SOCKET s)`
   *
   * Closes a socket; its pending overlapped operations complete with WSA_OPERATION_ABORTED. On a
   * socket borrowed from Node it only detaches. Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAENOTSOCK, WSAEINPROGRESS, WSAEINTR,
   * WSAEWOULDBLOCK (non-blocking socket lingering).
   */
  closesocket(s: SOCKET): number;
  /**
   * `int bind(SOCKET s, const struct sockaddr *name, int namelen)`
   *
   * Gives `s` a local address (SOCKADDR_IN / SOCKADDR_IN6 bytes, see `sockaddr()`). Returns 0 or
   * SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEACCES, WSAEADDRINUSE, WSAEADDRNOTAVAIL,
   * WSAEFAULT, WSAEINPROGRESS, WSAEINVAL (already bound), WSAENOBUFS, WSAENOTSOCK.
   *
   * Linux: a second bind to an address in use fails with WSAEADDRINUSE where Windows sometimes says
   * WSAEACCES; see [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  bind(s: SOCKET, name: Uint8Array | null, namelen: number): number;
  /**
   * `int listen(SOCKET s, int backlog)`
   *
   * Makes a bound stream socket accept connections. Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEADDRINUSE, WSAEINPROGRESS, WSAEINVAL (not
   * bound), WSAEISCONN, WSAEMFILE, WSAENOBUFS, WSAENOTSOCK, WSAEOPNOTSUPP (not a stream socket).
   */
  listen(s: SOCKET, backlog: number): number;
  /**
   * `SOCKET accept(SOCKET s, struct sockaddr *addr, int *addrlen)`
   *
   * Takes the next connection of a listening socket (waiting when it is blocking) and writes the
   * peer's address. Returns the new socket, or INVALID_SOCKET.
   *
   * Windows errors: WSANOTINITIALISED, WSAECONNRESET, WSAEFAULT (`addrlen` too small), WSAEINTR,
   * WSAEINVAL (not listening), WSAEINPROGRESS, WSAEMFILE, WSAENETDOWN, WSAENOBUFS, WSAENOTSOCK,
   * WSAEOPNOTSUPP, WSAEWOULDBLOCK.
   */
  accept(s: SOCKET, addr: Uint8Array | null, addrlen: Ref<number> | null): SOCKET;
  /**
   * `int connect(SOCKET s, const struct sockaddr *name, int namelen)`
   *
   * Connects `s` (a stream socket: waits, or WSAEWOULDBLOCK when non-blocking; a datagram socket:
   * sets its default peer). Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEADDRINUSE, WSAEINTR, WSAEINPROGRESS,
   * WSAEALREADY, WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAECONNREFUSED, WSAEFAULT, WSAEINVAL,
   * WSAEISCONN, WSAENETUNREACH, WSAEHOSTUNREACH, WSAENOBUFS, WSAENOTSOCK, WSAETIMEDOUT,
   * WSAEWOULDBLOCK, WSAEACCES.
   */
  connect(s: SOCKET, name: Uint8Array | null, namelen: number): number;
  /**
   * `int send(SOCKET s, const char *buf, int len, int flags)`
   *
   * Sends the first `len` bytes of `buf` (MSG_OOB, MSG_DONTROUTE). Returns the number of bytes
   * sent, or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEACCES, WSAEINTR, WSAEINPROGRESS, WSAEFAULT,
   * WSAENETRESET, WSAENOBUFS, WSAENOTCONN, WSAENOTSOCK, WSAEOPNOTSUPP, WSAESHUTDOWN,
   * WSAEWOULDBLOCK, WSAEMSGSIZE, WSAEHOSTUNREACH, WSAEINVAL, WSAECONNABORTED, WSAECONNRESET,
   * WSAETIMEDOUT.
   */
  send(s: SOCKET, buf: Uint8Array | null, len: number, flags: number): number;
  /**
   * `int recv(SOCKET s, char *buf, int len, int flags)`
   *
   * Receives up to `len` bytes into `buf` (MSG_PEEK, MSG_OOB, MSG_WAITALL). Returns the number of
   * bytes, 0 when the peer closed gracefully, or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEFAULT, WSAENOTCONN, WSAEINTR,
   * WSAEINPROGRESS, WSAENETRESET, WSAENOTSOCK, WSAEOPNOTSUPP, WSAESHUTDOWN, WSAEWOULDBLOCK,
   * WSAEMSGSIZE, WSAEINVAL, WSAECONNABORTED, WSAETIMEDOUT, WSAECONNRESET.
   */
  recv(s: SOCKET, buf: Uint8Array | null, len: number, flags: number): number;
  /**
   * `int sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to, int tolen)`
   *
   * send to the address `to` (datagram sockets; ignored on a connected stream socket). Returns the
   * number of bytes sent, or SOCKET_ERROR.
   *
   * Windows errors: those of send, and WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAEDESTADDRREQ,
   * WSAENETUNREACH.
   */
  sendto(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, to: Uint8Array | null, tolen: number): number;
  /**
   * `int recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen)`
   *
   * recv that also writes the sender's address into `from` and its length into `fromlen`. Returns
   * the number of bytes, or SOCKET_ERROR.
   *
   * Windows errors: those of recv, and WSAEFAULT when `fromlen` is too small for the address,
   * WSAEISCONN.
   */
  recvfrom(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, from: Uint8Array | null, fromlen: Ref<number> | null): number;
  /**
   * `int shutdown(SOCKET s, int how)`
   *
   * Stops receiving (SD_RECEIVE), sending (SD_SEND) or both (SD_BOTH). Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAECONNABORTED, WSAECONNRESET, WSAEINPROGRESS,
   * WSAEINVAL (bad `how`), WSAENOTCONN, WSAENOTSOCK.
   */
  shutdown(s: SOCKET, how: number): number;
  /**
   * `int getsockname(SOCKET s, struct sockaddr *name, int *namelen)`
   *
   * Writes the socket's local address into `name` and its length into `namelen`. Returns 0 or
   * SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEFAULT (`namelen` too small),
   * WSAEINPROGRESS, WSAENOTSOCK, WSAEINVAL (not bound).
   */
  getsockname(s: SOCKET, name: Uint8Array | null, namelen: Ref<number> | null): number;
  /**
   * `int getpeername(SOCKET s, struct sockaddr *name, int *namelen)`
   *
   * Writes the connected peer's address into `name` and its length into `namelen`. Returns 0 or
   * SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEFAULT, WSAEINPROGRESS, WSAENOTCONN,
   * WSAENOTSOCK.
   *
   * Linux: the peer of a connection Linux has forgotten (both sides shut down) is remembered from
   * earlier answers; see [the README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  getpeername(s: SOCKET, name: Uint8Array | null, namelen: Ref<number> | null): number;
  /**
   * `int getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen)`
   *
   * Reads a socket option (Windows levels and names: SOL_SOCKET 0xffff, SO_*, TCP_*, IP_*, IPV6_*)
   * into `optval`, its size into `optlen`. Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEFAULT (`optlen` too small), WSAEINPROGRESS,
   * WSAEINVAL (bad level), WSAENOPROTOOPT (option unknown for this protocol), WSAENOTSOCK.
   *
   * Linux: some options are kept and read back but change nothing, and SO_SNDBUF / SO_RCVBUF report
   * 65536 until set; see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  getsockopt(s: SOCKET, level: number, optname: number, optval: Uint8Array | null, optlen: Ref<number> | null): number;
  /**
   * `int setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen)`
   *
   * Sets a socket option (Windows levels and names) from the first `optlen` bytes of `optval`.
   * Returns 0 or SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEFAULT, WSAEINPROGRESS, WSAEINVAL,
   * WSAENETRESET, WSAENOPROTOOPT, WSAENOTCONN, WSAENOTSOCK.
   *
   * Linux: each option's Linux mapping (TCP_MAXRT as TCP_USER_TIMEOUT, TCP_NOSYNRETRIES as
   * TCP_SYNCNT 1 ...) is listed in [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  setsockopt(s: SOCKET, level: number, optname: number, optval: Uint8Array | null, optlen: number): number;
  /**
   * `int ioctlsocket(SOCKET s, long cmd, u_long *argp)`
   *
   * The three Unix-style controls: FIONBIO (set non-blocking from `*argp`), FIONREAD (bytes that
   * one recv would return), SIOCATMARK (TRUE when no urgent data is pending). Returns 0 or
   * SOCKET_ERROR.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEINPROGRESS, WSAENOTSOCK, WSAEFAULT (`argp`
   * null), WSAEINVAL (FIONBIO back to blocking while WSAEventSelect is in force); any other `cmd`
   * goes to WSAIoctl with the u_long as input and output, as Windows does.
   *
   * Linux: FIONREAD on UDP moves queued datagrams into a user-space queue to count them; see [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  ioctlsocket(s: SOCKET, cmd: number, argp: Ref<number> | null): number;
  /**
   * `int WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer, LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)`
   *
   * Sends control code `dwIoControlCode` (SIO_*, FIONBIO ...; `wsaioctl/codes` has every one) to
   * `s` with the first `cbInBuffer` bytes of `lpvInBuffer`; writes at most `cbOutBuffer` bytes of
   * `lpvOutBuffer` and their count into `lpcbBytesReturned`. Non-overlapped, or overlapped with an
   * event, a completion routine or a completion port. Returns 0, or SOCKET_ERROR (WSA_IO_PENDING
   * when an overlapped call completes later). Nothing is written outside `[0, cbOutBuffer)` and the
   * input is never changed.
   *
   * Windows errors: WSANOTINITIALISED, WSAENETDOWN, WSAEFAULT (a buffer, `lpcbBytesReturned` or the
   * overlapped arguments not wholly valid, or a size too small), WSAEINVAL (unknown code, bad
   * input, or a code that does not apply to this socket), WSAEINPROGRESS, WSAENOTSOCK,
   * WSAEOPNOTSUPP, WSAEWOULDBLOCK, WSAENOPROTOOPT, WSA_IO_PENDING; some codes add their own (the
   * catalogue in `wsaioctl/codes` lists them per code).
   *
   * Linux: per-code approximations (SIO_KEEPALIVE_VALS in whole seconds, SIO_TCP_INFO fields Linux
   * has no counter for ...) are listed in [the
   * README](../../README.md#where-the-linux-emulation-approximates-windows).
   */
  WSAIoctl(
    s: SOCKET,
    dwIoControlCode: number,
    lpvInBuffer: Uint8Array | null,
    cbInBuffer: number,
    lpvOutBuffer: Uint8Array | null,
    cbOutBuffer: number,
    lpcbBytesReturned: Ref<number> | null,
    lpOverlapped: WSAOVERLAPPED | null,
    lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
  ): number;

  /**
   * Not a Winsock function: registers a socket that Node owns as a *borrowed* SOCKET
   * (docs/principles.md,
   * principle 3). `resolveFd` is called on every use and returns the host fd, or -1 once Node has
   * closed it; the SOCKET then fails with WSAENOTSOCK. `af` / `type` / `protocol` are Windows
   * values, 0 meaning "ask the socket"; values that disagree with the socket fail with WSAEINVAL.
   * FIONBIO on the SOCKET is a Winsock flag only (starts non-blocking, as libuv sets it), the host
   * fd's O_NONBLOCK is never changed, closesocket only detaches. INVALID_SOCKET + last error on
   * failure. A backend that cannot adopt (Windows, where Node does not expose its SOCKET) answers
   * INVALID_SOCKET with WSAEOPNOTSUPP.
   *
   * `identify` is for a backend where Node reports no fd (Windows, where `handle.fd` is -1): it is
   * called on every use and returns what the Node object says about its socket now (its
   * addresses), or null once Node has closed it. That backend finds the one socket handle of the
   * process with those addresses (WSAENOTSOCK when none has them, WSAETOOMANYREFS when more than
   * one does) and checks it again before each use. The Linux backend uses `resolveFd` only.
   */
  adoptNodeHandle(resolveFd: () => number, af: number, type: number, protocol: number,
    identify?: () => NodeSocketView | null): SOCKET;

  /**
   * Not a Winsock function (Winsock has no gateway query): the default gateway of `af` (AF_INET /
   * AF_INET6), the next hop of the host's route to the internet, read from the routing table.
   * Windows: GetIpForwardTable2, the default route (prefix length 0) with a next hop and the lowest
   * metric. Linux: rtnetlink's route dump, the same choice in the main table. Returns the gateway
   * as a Windows sockaddr and the outgoing interface index; null with WSAENETUNREACH when there is
   * no such route, WSAEAFNOSUPPORT for another family.
   */
  queryDefaultGateway(af: number): DefaultGateway | null;

  /**
   * Not a Winsock function (Winsock's interface records are anonymous): the index of the interface
   * `os.networkInterfaces()` calls `name` (the IfIndex Windows uses, the IPv6 scope id of its
   * link-local addresses). Windows: the adapter whose alias (friendly name) it is,
   * ConvertInterfaceAliasToLuid then ConvertInterfaceLuidToIndex (not if_nametoindex, which takes
   * the NDIS name there). Linux: if_nametoindex (an IPv4 label "eth0:1" is eth0's). 0 with
   * WSAEINVAL when no interface has the name or it is not one (empty, too long, holds a NUL).
   */
  queryInterfaceIndex(name: string): number;
}

export type { SOCKET, HANDLE, WSAEVENT };
