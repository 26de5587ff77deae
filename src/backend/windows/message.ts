export function WSARecvMsg(): number { return -1; }
export function WSASendMsg(): number { return -1; }
