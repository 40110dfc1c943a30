import Foundation

/// The scalar functions of the elementwise kernels, as types the parallel maps inline
/// (see `PointwiseFunction`). Forward functions sit beside the gradient combinations
/// (upstream gradient first) that their backward passes use.
public enum Pointwise {
    // MARK: Arithmetic

    public struct Sum: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
    }

    public struct Difference: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
    }

    public struct Product: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
    }

    public struct Ratio: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
    }

    /// -a * b.
    public struct NegatedProduct: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ a: Float, _ b: Float) -> Float { -a * b }
    }

    /// a * scale * b.
    public struct ScaledProduct: PointwiseCombination {
        public let scale: Float
        public init(scale: Float) { self.scale = scale }
        @inlinable public func callAsFunction(_ a: Float, _ b: Float) -> Float { a * scale * b }
    }

    /// x * scale + shift.
    public struct Affine: PointwiseFunction {
        public let scale: Float
        public let shift: Float
        public init(scale: Float, shift: Float) { (self.scale, self.shift) = (scale, shift) }
        @inlinable public func callAsFunction(_ x: Float) -> Float { x * scale + shift }
    }

    /// numerator / x.
    public struct Quotient: PointwiseFunction {
        public let numerator: Float
        public init(numerator: Float) { self.numerator = numerator }
        @inlinable public func callAsFunction(_ x: Float) -> Float { numerator / x }
    }

    public struct Constant: PointwiseFunction {
        public let value: Float
        public init(value: Float) { self.value = value }
        @inlinable public func callAsFunction(_ x: Float) -> Float { value }
    }

    // MARK: Unary math

    public struct Exp: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) }
    }

    public struct Log: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
    }

    public struct SquareRoot: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { x.squareRoot() }
    }

    /// gradient * 0.5 / sqrt(x), given the output sqrt(x).
    public struct SquareRootGradient: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ gradient: Float, _ output: Float) -> Float { gradient * 0.5 / output }
    }

    public struct Absolute: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { Swift.abs(x) }
    }

    /// gradient * sign(x), with sign(0) = 0 as in PyTorch.
    public struct SignGradient: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ gradient: Float, _ x: Float) -> Float {
            x > 0 ? gradient : (x < 0 ? -gradient : 0)
        }
    }

    public struct Square: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { x * x }
    }

    public struct Cube: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { x * x * x }
    }

    public struct Power: PointwiseFunction {
        public let exponent: Float
        public init(exponent: Float) { self.exponent = exponent }
        @inlinable public func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, exponent) }
    }

    /// Limits to [low, high]; NaN stays NaN.
    public struct Clamp: PointwiseFunction {
        public let low: Float
        public let high: Float
        public init(low: Float, high: Float) { (self.low, self.high) = (low, high) }
        @inlinable public func callAsFunction(_ x: Float) -> Float { x < low ? low : (x > high ? high : x) }
    }

    /// Passes the gradient where low <= x <= high: PyTorch counts the bounds as inside.
    public struct ClampGradient: PointwiseCombination {
        public let low: Float
        public let high: Float
        public init(low: Float, high: Float) { (self.low, self.high) = (low, high) }
        @inlinable public func callAsFunction(_ gradient: Float, _ x: Float) -> Float {
            x >= low && x <= high ? gradient : 0
        }
    }

    // MARK: Activations

    public struct ReLU: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { x > 0 ? x : 0 }
    }

    /// max(0, a + b).
    public struct RectifiedSum: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ a: Float, _ b: Float) -> Float {
            let sum = a + b
            return sum > 0 ? sum : 0
        }
    }

    /// Gradient 0 at 0, as PyTorch; output > 0 exactly where input > 0.
    public struct ReLUGradient: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ gradient: Float, _ output: Float) -> Float { output > 0 ? gradient : 0 }
    }

    public struct LeakyReLU: PointwiseFunction {
        public let negativeSlope: Float
        public init(negativeSlope: Float) { self.negativeSlope = negativeSlope }
        @inlinable public func callAsFunction(_ x: Float) -> Float { x > 0 ? x : x * negativeSlope }
    }

    /// At 0 the slope is `negativeSlope`, as PyTorch.
    public struct LeakyReLUGradient: PointwiseCombination {
        public let negativeSlope: Float
        public init(negativeSlope: Float) { self.negativeSlope = negativeSlope }
        @inlinable public func callAsFunction(_ gradient: Float, _ x: Float) -> Float {
            x > 0 ? gradient : gradient * negativeSlope
        }
    }

    /// 1 / (1 + e^-x), evaluated so that neither branch overflows.
    public struct Sigmoid: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float {
            if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
            let e = Foundation.exp(x)
            return e / (1 + e)
        }
    }

    /// gradient * y (1 - y), given the output y.
    public struct SigmoidGradient: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ gradient: Float, _ output: Float) -> Float {
            gradient * output * (1 - output)
        }
    }

    public struct Tanh: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) }
    }

    /// gradient * (1 - y^2), given the output y.
    public struct TanhGradient: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ gradient: Float, _ output: Float) -> Float {
            gradient * (1 - output * output)
        }
    }

    @usableFromInline static let inverseSquareRootOfTwo: Float = 0.707_106_781_186_547_5
    @usableFromInline static let inverseSquareRootOfTwoPi: Float = 0.398_942_280_401_432_7

    /// x * Phi(x) with the exact normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2, the default
    /// of torch.nn.functional.gelu (not the tanh approximation).
    public struct GELU: PointwiseFunction {
        public init() {}
        @inlinable public func callAsFunction(_ x: Float) -> Float {
            0.5 * x * (1 + Foundation.erf(x * Pointwise.inverseSquareRootOfTwo))
        }
    }

    /// d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density.
    public struct GELUGradient: PointwiseCombination {
        public init() {}
        @inlinable public func callAsFunction(_ gradient: Float, _ x: Float) -> Float {
            let cdf = 0.5 * (1 + Foundation.erf(x * Pointwise.inverseSquareRootOfTwo))
            let density = Pointwise.inverseSquareRootOfTwoPi * Foundation.exp(-0.5 * x * x)
            return gradient * (cdf + x * density)
        }
    }
}
