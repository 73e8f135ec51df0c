/**
 * The texts the platform's C library gives for errno values (strerror) and
 * resolver errors (gai_strerror, hstrerror): glibc's, as CPython shows them
 * here. The runtime's describeErrno() uses libuv's texts, which differ for
 * many socket errors ("Socket is not connected" for "Transport endpoint is
 * not connected") and lack some (EINPROGRESS); Python programs print and
 * compare these. Like constants.ts, this is data of one platform.
 */

/** strerror(errno) for errno 1..133; index = errno - 1. */
const STRERROR: readonly string[] = [
  "Operation not permitted",
  "No such file or directory",
  "No such process",
  "Interrupted system call",
  "Input/output error",
  "No such device or address",
  "Argument list too long",
  "Exec format error",
  "Bad file descriptor",
  "No child processes",
  "Resource temporarily unavailable",
  "Cannot allocate memory",
  "Permission denied",
  "Bad address",
  "Block device required",
  "Device or resource busy",
  "File exists",
  "Invalid cross-device link",
  "No such device",
  "Not a directory",
  "Is a directory",
  "Invalid argument",
  "Too many open files in system",
  "Too many open files",
  "Inappropriate ioctl for device",
  "Text file busy",
  "File too large",
  "No space left on device",
  "Illegal seek",
  "Read-only file system",
  "Too many links",
  "Broken pipe",
  "Numerical argument out of domain",
  "Numerical result out of range",
  "Resource deadlock avoided",
  "File name too long",
  "No locks available",
  "Function not implemented",
  "Directory not empty",
  "Too many levels of symbolic links",
  "Unknown error 41",
  "No message of desired type",
  "Identifier removed",
  "Channel number out of range",
  "Level 2 not synchronized",
  "Level 3 halted",
  "Level 3 reset",
  "Link number out of range",
  "Protocol driver not attached",
  "No CSI structure available",
  "Level 2 halted",
  "Invalid exchange",
  "Invalid request descriptor",
  "Exchange full",
  "No anode",
  "Invalid request code",
  "Invalid slot",
  "Unknown error 58",
  "Bad font file format",
  "Device not a stream",
  "No data available",
  "Timer expired",
  "Out of streams resources",
  "Machine is not on the network",
  "Package not installed",
  "Object is remote",
  "Link has been severed",
  "Advertise error",
  "Srmount error",
  "Communication error on send",
  "Protocol error",
  "Multihop attempted",
  "RFS specific error",
  "Bad message",
  "Value too large for defined data type",
  "Name not unique on network",
  "File descriptor in bad state",
  "Remote address changed",
  "Can not access a needed shared library",
  "Accessing a corrupted shared library",
  ".lib section in a.out corrupted",
  "Attempting to link in too many shared libraries",
  "Cannot exec a shared library directly",
  "Invalid or incomplete multibyte or wide character",
  "Interrupted system call should be restarted",
  "Streams pipe error",
  "Too many users",
  "Socket operation on non-socket",
  "Destination address required",
  "Message too long",
  "Protocol wrong type for socket",
  "Protocol not available",
  "Protocol not supported",
  "Socket type not supported",
  "Operation not supported",
  "Protocol family not supported",
  "Address family not supported by protocol",
  "Address already in use",
  "Cannot assign requested address",
  "Network is down",
  "Network is unreachable",
  "Network dropped connection on reset",
  "Software caused connection abort",
  "Connection reset by peer",
  "No buffer space available",
  "Transport endpoint is already connected",
  "Transport endpoint is not connected",
  "Cannot send after transport endpoint shutdown",
  "Too many references: cannot splice",
  "Connection timed out",
  "Connection refused",
  "Host is down",
  "No route to host",
  "Operation already in progress",
  "Operation now in progress",
  "Stale file handle",
  "Structure needs cleaning",
  "Not a XENIX named type file",
  "No XENIX semaphores available",
  "Is a named type file",
  "Remote I/O error",
  "Disk quota exceeded",
  "No medium found",
  "Wrong medium type",
  "Operation canceled",
  "Required key not available",
  "Key has expired",
  "Key has been revoked",
  "Key was rejected by service",
  "Owner died",
  "State not recoverable",
  "Operation not possible due to RF-kill",
  "Memory page has hardware error",
];

/** The platform's text for a positive errno. */
export function strerror(errno: number): string {
  return STRERROR[errno - 1] ?? `Unknown error ${errno}`;
}

/** gai_strerror(code) for the EAI_* codes (negative). */
const GAI_STRERROR: ReadonlyMap<number, string> = new Map([
  [-1, "Bad value for ai_flags"],
  [-2, "Name or service not known"],
  [-3, "Temporary failure in name resolution"],
  [-4, "Non-recoverable failure in name resolution"],
  [-5, "No address associated with hostname"],
  [-6, "ai_family not supported"],
  [-7, "ai_socktype not supported"],
  [-8, "Servname not supported for ai_socktype"],
  [-9, "Address family for hostname not supported"],
  [-10, "Memory allocation failure"],
  [-11, "System error"],
  [-12, "Unknown error"],
]);

/** The platform's text for a getaddrinfo error code. */
export function gaiStrerror(code: number): string {
  return GAI_STRERROR.get(code) ?? 'Unknown error';
}

const H_STRERROR = ['Resolver Error 0 (no error)', 'Unknown host', 'Host name lookup failure', 'Unknown server error', 'No address associated with name'];

/** hstrerror(h_errno): the texts of the host-database errors (herror). */
export function hStrerror(code: number): string {
  return H_STRERROR[code] ?? 'Unknown resolver error';
}

/**
 * errno names the kernel has and Node's os.constants.errno lacks, with
 * their Linux numbers (CPython maps ESHUTDOWN to BrokenPipeError; socket()
 * answers ESOCKTNOSUPPORT for a socket type the contract cannot carry).
 */
export const EXTRA_ERRNO: Readonly<Record<string, number>> = {
  ESOCKTNOSUPPORT: 94,
  EPFNOSUPPORT: 96,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  EHOSTDOWN: 112,
};
