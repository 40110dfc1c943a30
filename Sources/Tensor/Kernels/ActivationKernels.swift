import Foundation

/// Pointwise activations and their backward passes, matching torch.nn.functional.
///
/// Shapes: any; outputs and gradients have the input's shape. Backward functions take the
/// upstream gradient first, then whichever of the forward's input or output is cheaper
/// to differentiate from (sigmoid and tanh use the output, so the input can be freed).
public enum ActivationKernels {
    public static func relu(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x, Pointwise.ReLU())
    }

    /// Gradient 0 at 0, as PyTorch; output > 0 exactly where input > 0.
    public static func reluBackward(_ gradient: Tensor, output: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, output, Pointwise.ReLUGradient())
    }

    public static func leakyRelu(_ x: Tensor, negativeSlope: Float) -> Tensor {
        Elementwise.parallelMap(x, Pointwise.LeakyReLU(negativeSlope: negativeSlope))
    }

    /// At 0 the slope is `negativeSlope`, as PyTorch.
    public static func leakyReluBackward(_ gradient: Tensor, input: Tensor, negativeSlope: Float) -> Tensor {
        Elementwise.parallelZip(gradient, input, Pointwise.LeakyReLUGradient(negativeSlope: negativeSlope))
    }

    /// 1 / (1 + e^-x), evaluated so that neither branch overflows.
    public static func sigmoid(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x, Pointwise.Sigmoid())
    }

    public static func sigmoidBackward(_ gradient: Tensor, output: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, output, Pointwise.SigmoidGradient())
    }

    public static func tanh(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x, Pointwise.Tanh())
    }

    public static func tanhBackward(_ gradient: Tensor, output: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, output, Pointwise.TanhGradient())
    }

    /// x * Phi(x) with the exact normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2, the default
    /// of torch.nn.functional.gelu (not the tanh approximation).
    public static func gelu(_ x: Tensor) -> Tensor {
        Elementwise.parallelMap(x, Pointwise.GELU())
    }

    /// d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density.
    public static func geluBackward(_ gradient: Tensor, input: Tensor) -> Tensor {
        Elementwise.parallelZip(gradient, input, Pointwise.GELUGradient())
    }
}
