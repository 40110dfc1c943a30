#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with the path it concerned and errno, so every I/O error a user
/// sees names the file and what went wrong.
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    public let operation: String
    public let path: String
    public let code: Int32

    public init(_ operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(code)))"
    }

    /// Turns the -1 of a C call into a thrown error and passes any other result through.
    /// errno is read here, straight after the call, before anything can overwrite it.
    @discardableResult
    public static func check<Result: BinaryInteger>(_ result: Result, _ operation: String,
                                                    path: String) throws -> Result {
        if result == -1 { throw SystemError(operation, path: path) }
        return result
    }
}
