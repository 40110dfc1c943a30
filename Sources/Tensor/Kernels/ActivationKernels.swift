import Foundation

/// Pointwise activations and their backward passes, matching torch.nn.functional.
///
/// Shapes: any; outputs and gradients have the input's shape. Backward functions take the
/// upstream gradient first, then whichever of the forward's input or output is cheaper
/// to differentiate from (sigmoid and tanh use the output, so the input can be freed).
public enum ActivationKernels {
    public static func relu(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x) { $0 > 0 ? $0 : 0 }
    }

    /// Gradient 0 at 0, as PyTorch; output > 0 exactly where input > 0.
    public static func reluBackward(_ gradient: Tensor, output: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, output) { g, y in y > 0 ? g : 0 }
    }

    public static func leakyRelu(_ x: Tensor, negativeSlope: Float) -> Tensor {
        Elementwise.parallelMap(x) { $0 > 0 ? $0 : $0 * negativeSlope }
    }

    /// At 0 the slope is `negativeSlope`, as PyTorch.
    public static func leakyReluBackward(_ gradient: Tensor, input: Tensor, negativeSlope: Float) -> Tensor {
        Elementwise.parallelZip(gradient, input) { g, x in x > 0 ? g : g * negativeSlope }
    }

    /// 1 / (1 + e^-x), evaluated so that neither branch overflows.
    public static func sigmoid(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x) { v in
            if v >= 0 { return 1 / (1 + Foundation.exp(-v)) }
            let e = Foundation.exp(v)
            return e / (1 + e)
        }
    }

    public static func sigmoidBackward(_ gradient: Tensor, output: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, output) { g, y in g * y * (1 - y) }
    }

    public static func tanh(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x) { Foundation.tanh($0) }
    }

    public static func tanhBackward(_ gradient: Tensor, output: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, output) { g, y in g * (1 - y * y) }
    }

    private static let inverseSquareRootOfTwo: Float = 0.707_106_781_186_547_5
    private static let inverseSquareRootOfTwoPi: Float = 0.398_942_280_401_432_7

    /// x * Phi(x) with the exact normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2, the default
    /// of torch.nn.functional.gelu (not the tanh approximation).
    public static func gelu(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x) { v in 0.5 * v * (1 + Foundation.erf(v * inverseSquareRootOfTwo)) }
    }

    /// d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density.
    public static func geluBackward(_ gradient: Tensor, input: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, input) { g, v in
            let cdf = 0.5 * (1 + Foundation.erf(v * inverseSquareRootOfTwo))
            let density = inverseSquareRootOfTwoPi * Foundation.exp(-0.5 * v * v)
            return g * (cdf + v * density)
        }
    }
}
