package dev.jbpf.internal;

import java.util.Map;

/**
 * Linux errno values (x86_64 and the other generic-ABI architectures) by name and message,
 * plus libbpf's own error codes (LIBBPF_ERRNO__*, 4000 and up). Pure Java: no native memory.
 */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            ENOEXEC = 8, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16,
            EEXIST = 17, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24,
            ENOSPC = 28, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
            ENODATA = 61, EPROTO = 71, EBADMSG = 74, EOVERFLOW = 75, EOPNOTSUPP = 95, ENOTSUPP = 524;

    private static final Map<Integer, String[]> TABLE = Map.ofEntries(
            e(1, "EPERM", "Operation not permitted"), e(2, "ENOENT", "No such file or directory"),
            e(3, "ESRCH", "No such process"), e(4, "EINTR", "Interrupted system call"),
            e(5, "EIO", "Input/output error"), e(6, "ENXIO", "No such device or address"),
            e(7, "E2BIG", "Argument list too long"), e(8, "ENOEXEC", "Exec format error"),
            e(9, "EBADF", "Bad file descriptor"), e(10, "ECHILD", "No child processes"),
            e(11, "EAGAIN", "Resource temporarily unavailable"), e(12, "ENOMEM", "Cannot allocate memory"),
            e(13, "EACCES", "Permission denied"), e(14, "EFAULT", "Bad address"),
            e(16, "EBUSY", "Device or resource busy"), e(17, "EEXIST", "File exists"),
            e(18, "EXDEV", "Invalid cross-device link"), e(19, "ENODEV", "No such device"),
            e(20, "ENOTDIR", "Not a directory"), e(21, "EISDIR", "Is a directory"),
            e(22, "EINVAL", "Invalid argument"), e(23, "ENFILE", "Too many open files in system"),
            e(24, "EMFILE", "Too many open files"), e(25, "ENOTTY", "Inappropriate ioctl for device"),
            e(27, "EFBIG", "File too large"), e(28, "ENOSPC", "No space left on device"),
            e(30, "EROFS", "Read-only file system"), e(32, "EPIPE", "Broken pipe"),
            e(34, "ERANGE", "Numerical result out of range"), e(35, "EDEADLK", "Resource deadlock avoided"),
            e(36, "ENAMETOOLONG", "File name too long"), e(38, "ENOSYS", "Function not implemented"),
            e(39, "ENOTEMPTY", "Directory not empty"), e(40, "ELOOP", "Too many levels of symbolic links"),
            e(61, "ENODATA", "No data available"), e(62, "ETIME", "Timer expired"),
            e(71, "EPROTO", "Protocol error"), e(74, "EBADMSG", "Bad message"),
            e(75, "EOVERFLOW", "Value too large for defined data type"),
            e(90, "EMSGSIZE", "Message too long"), e(93, "EPROTONOSUPPORT", "Protocol not supported"),
            e(95, "EOPNOTSUPP", "Operation not supported"), e(97, "EAFNOSUPPORT", "Address family not supported by protocol"),
            e(98, "EADDRINUSE", "Address already in use"), e(110, "ETIMEDOUT", "Connection timed out"),
            e(114, "EALREADY", "Operation already in progress"), e(115, "EINPROGRESS", "Operation now in progress"),
            e(122, "EDQUOT", "Disk quota exceeded"), e(125, "ECANCELED", "Operation canceled"),
            e(524, "ENOTSUPP", "Operation not supported by this kernel"),
            e(4000, "LIBBPF_ERRNO__LIBELF", "Something wrong in libelf"),
            e(4001, "LIBBPF_ERRNO__FORMAT", "BPF object format invalid"),
            e(4002, "LIBBPF_ERRNO__KVERSION", "Incorrect or no 'version' section"),
            e(4003, "LIBBPF_ERRNO__ENDIAN", "Endian mismatch"),
            e(4004, "LIBBPF_ERRNO__INTERNAL", "Internal error in libbpf"),
            e(4005, "LIBBPF_ERRNO__RELOC", "Relocation failed"),
            e(4006, "LIBBPF_ERRNO__LOAD", "Load program failure for unknown reason"),
            e(4007, "LIBBPF_ERRNO__VERIFY", "Kernel verifier blocks program loading"),
            e(4008, "LIBBPF_ERRNO__PROG2BIG", "Program too big"),
            e(4009, "LIBBPF_ERRNO__KVER", "Incorrect kernel version"),
            e(4010, "LIBBPF_ERRNO__PROGTYPE", "Kernel doesn't support this program type"),
            e(4011, "LIBBPF_ERRNO__WRNGPID", "Wrong pid in netlink message"),
            e(4012, "LIBBPF_ERRNO__INVSEQ", "Invalid netlink sequence"),
            e(4013, "LIBBPF_ERRNO__NLPARSE", "Incorrect netlink message parsing"));

    private Errno() {
    }

    private static Map.Entry<Integer, String[]> e(int value, String name, String message) {
        return Map.entry(value, new String[] {name, message});
    }

    /** The symbolic name ("ENOENT") of a positive or negative errno, or "errno N" when unknown. */
    public static String name(int errno) {
        String[] entry = TABLE.get(Math.abs(errno));
        return entry != null ? entry[0] : "errno " + Math.abs(errno);
    }

    /** The strerror-style message of a positive or negative errno. */
    public static String message(int errno) {
        String[] entry = TABLE.get(Math.abs(errno));
        return entry != null ? entry[1] : "Unknown error " + Math.abs(errno);
    }
}
