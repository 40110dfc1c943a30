/// Elementwise kernels over equally shaped contiguous buffers. Broadcasting lives in the
/// Autograd arithmetic ops; these are the flat loops underneath.
public enum Elementwise {
    /// a + b for two tensors of the same shape (used to accumulate gradients).
    public static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "sum of shapes \(a.shape) and \(b.shape)")
        let result = Tensor(uninitializedShape: a.shape)
        let (x, y, z) = (a.storage.pointer, b.storage.pointer, result.storage.pointer)
        for i in 0..<a.count { z[i] = x[i] + y[i] }
        return result
    }

    /// result[i] = transform(a[i]).
    @inlinable
    public static func map(_ a: Tensor, _ transform: (Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: a.shape)
        let (x, z) = (a.storage.pointer, result.storage.pointer)
        for i in 0..<a.count { z[i] = transform(x[i]) }
        return result
    }

    /// result[i] = combine(a[i], b[i]).
    @inlinable
    public static func zip(_ a: Tensor, _ b: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count, "zip of shapes \(a.shape) and \(b.shape)")
        let result = Tensor(uninitializedShape: a.shape)
        let (x, y, z) = (a.storage.pointer, b.storage.pointer, result.storage.pointer)
        for i in 0..<a.count { z[i] = combine(x[i], y[i]) }
        return result
    }
}
