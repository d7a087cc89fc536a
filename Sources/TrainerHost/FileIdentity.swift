import Foundation

/// Which file a path named when it was looked at: device, inode, size and modification time.
/// A plugin file whose identity is unchanged is taken to be the file that was scanned; any
/// change (a rebuild, a copy, `touch`) makes it another file.
public struct FileIdentity: Codable, Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time: seconds since the epoch, and the nanoseconds within that second.
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
    }

    /// Why a path has no identity as a plugin file: it is not a regular file (a FIFO, a
    /// device, a directory, a socket: opening one could block or mean nothing), or it cannot
    /// be looked at.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notRegular(kind: String)
        case unreadable(String)

        public var description: String {
            switch self {
            case .notRegular(let kind): return "not a regular file (\(kind)); never opened"
            case .unreadable(let message): return "cannot be read: \(message)"
            }
        }
    }

    /// The identity of the regular file `path` names (symbolic links followed).
    public static func of(_ path: String) -> Result<FileIdentity, Problem> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(.unreadable(String(cString: strerror(errno))))
        }
        return of(info)
    }

    /// The identity of the regular file open on `fd`.
    public static func of(fd: Int32) -> Result<FileIdentity, Problem> {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .failure(.unreadable(String(cString: strerror(errno))))
        }
        return of(info)
    }

    /// The identity `info` gives, when it is a regular file's.
    static func of(_ info: stat) -> Result<FileIdentity, Problem> {
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.notRegular(kind: "a directory"))
        case S_IFIFO: return .failure(.notRegular(kind: "a FIFO"))
        case S_IFCHR: return .failure(.notRegular(kind: "a character device"))
        case S_IFBLK: return .failure(.notRegular(kind: "a block device"))
        case S_IFSOCK: return .failure(.notRegular(kind: "a socket"))
        default: return .failure(.notRegular(kind: "of an unknown kind"))
        }
        return .success(FileIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int64(info.st_mtim.tv_nsec)))
    }
}
