// Which answers of a backend mark a test as beyond that backend rather than
// failed. The libuv backend is portable Node (net, dgram): where Node offers
// no way to do what a test asks, it answers with the errno CPython gets on a
// platform without the feature (the backend's README lists these as its
// intended differences). A native backend on Linux has the whole kernel
// behind it, so the same answer there is a failure.

/** errno names a non-native backend may answer for "I cannot do this". */
export const CANNOT_ERRNOS = new Set(['ENOSYS', 'EOPNOTSUPP', 'ENOPROTOOPT', 'ESOCKTNOSUPPORT', 'EAFNOSUPPORT', 'EPROTONOSUPPORT']);

/** Backends whose operations are the kernel's own, through our native shim. */
export const NATIVE = new Set(['epoll', 'io_uring', 'kqueue', 'iocp']);

/**
 * Tests a backend cannot pass for a reason that is not a single errno
 * (keyed by backend, then `Class.method`), each with that reason.
 */
export const KNOWN_LIMITS: Record<string, Record<string, string>> = {
  libuv: {
    'TestLinuxAbstractNamespace.testMaxName':
      'io-libuv takes every Unix name as NUL-terminated and refuses one of 108 bytes (packages/io-libuv/src/addr.ts): an abstract name that fills sun_path answers EINVAL',
    'GeneralModuleTests.test_socket_fileno_requires_socket_fd':
      "io-libuv's handles are not descriptors, so socket(fileno=) of a regular file's descriptor answers EBADF where the kernel (and so CPython, and the native backends) answers ENOTSOCK",
    'TestLinuxAbstractNamespace.testAutobind':
      "io-libuv refuses the empty Unix name (packages/io-libuv/src/addr.ts), which Linux reads as autobind to an abstract name: bind('') answers EINVAL",
  },
};

/**
 * Tests no backend passes yet, each with the difference from CPython that
 * stops it: real differences to fix, kept visible here (and in the run's
 * skip list) rather than hidden.
 */
export const KNOWN_DIFFERENCES: Record<string, string> = {
  'TestLinuxAbstractNamespace.testLinuxAbstractNamespace':
    'the backend contract carries AF_UNIX names as UTF-8 strings, so an abstract name with the byte 0xff cannot reach the kernel: socket-compat raises UnicodeDecodeError (as CPython would with a strict UTF-8 file-system encoding) where CPython binds it; a bytes path in the contract is needed',
  'TestUnixDomain.testUnencodableAddr':
    'the backend contract carries AF_UNIX paths as UTF-8 strings, so a path with a byte that is not UTF-8 (0xff, given as the surrogate escape U+DCFF) cannot reach the kernel: socket-compat raises UnicodeEncodeError (as CPython would with a strict UTF-8 file-system encoding) where CPython binds it; a bytes path in the contract is needed',
};
