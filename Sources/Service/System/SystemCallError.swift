import Glibc

/// A failed system call, carrying what was attempted, on which path, and errno.
public struct SystemCallError: Error, Equatable, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let errorNumber: Int32

    public init(operation: String, path: String, errorNumber: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.errorNumber = errorNumber
    }

    public var description: String {
        "\(operation) failed for \(path): \(String(cString: strerror(errorNumber))) (errno \(errorNumber))"
    }
}

/// Turns a -1 result into a thrown `SystemCallError`, reading errno immediately
/// so nothing in between can overwrite it.
@discardableResult
func checkSystemCall(_ result: Int32, _ operation: String, path: String) throws -> Int32 {
    if result == -1 {
        throw SystemCallError(operation: operation, path: path, errorNumber: errno)
    }
    return result
}
