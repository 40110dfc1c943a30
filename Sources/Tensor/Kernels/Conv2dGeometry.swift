/// Sizes of one 2-D convolution.
///
/// Shape legend (NCHW):
///   input  [N, Cin, H, W]
///   weight [Cout, Cin / groups, kh, kw]
///   bias   [Cout]
///   output [N, Cout, Ho, Wo], Ho = (H + 2 * padding - kh) / stride + 1 (floor), same for Wo
public struct Conv2dGeometry: Sendable, Equatable {
    public let batch: Int
    public let inputChannels: Int
    public let outputChannels: Int
    public let groups: Int
    /// The window over all input channels; one group's patch is `patchSize / groups` rows.
    public let window: ConvolutionWindow

    /// Nil when the shapes cannot be convolved; `problem(...)` says why.
    public init?(inputShape: [Int], weightShape: [Int], stride: Int, padding: Int, groups: Int) {
        guard Self.problem(inputShape: inputShape, weightShape: weightShape, stride: stride,
                           padding: padding, groups: groups) == nil else { return nil }
        batch = inputShape[0]
        inputChannels = inputShape[1]
        outputChannels = weightShape[0]
        self.groups = groups
        window = ConvolutionWindow(channels: inputShape[1], height: inputShape[2], width: inputShape[3],
                                   kernelHeight: weightShape[2], kernelWidth: weightShape[3],
                                   stride: stride, padding: padding)
    }

    /// A description of what is wrong with these shapes, or nil when they fit.
    public static func problem(inputShape: [Int], weightShape: [Int], stride: Int, padding: Int,
                               groups: Int) -> String? {
        let shapes = "input \(inputShape), weight \(weightShape)"
        guard inputShape.count == 4, weightShape.count == 4 else {
            return "conv2d needs a rank-4 input and weight; got \(shapes)"
        }
        guard inputShape.allSatisfy({ $0 > 0 }), weightShape.allSatisfy({ $0 > 0 }) else {
            return "conv2d needs non-empty dimensions; got \(shapes)"
        }
        guard stride >= 1, padding >= 0, groups >= 1 else {
            return "conv2d needs stride >= 1, padding >= 0, groups >= 1; got \(stride), \(padding), \(groups)"
        }
        guard inputShape[1] % groups == 0, weightShape[0] % groups == 0,
              weightShape[1] * groups == inputShape[1] else {
            return "conv2d with \(groups) groups cannot combine \(shapes)"
        }
        guard inputShape[2] + 2 * padding >= weightShape[2], inputShape[3] + 2 * padding >= weightShape[3] else {
            return "conv2d kernel larger than the padded input: \(shapes), padding \(padding)"
        }
        return nil
    }

    public var inputShape: [Int] { [batch, inputChannels, window.height, window.width] }
    public var weightShape: [Int] {
        [outputChannels, inputChannels / groups, window.kernelHeight, window.kernelWidth]
    }
    public var outputShape: [Int] { [batch, outputChannels, window.outputHeight, window.outputWidth] }

    var groupOutputChannels: Int { outputChannels / groups }
    /// Columns of one group's slice of the weight matrix [Cout, Cin / groups * kh * kw].
    var groupPatchSize: Int { window.patchSize / groups }
    var imageSize: Int { inputChannels * window.imagePixels }
    var outputImageSize: Int { outputChannels * window.outputPixels }

    /// Multiply-adds times two, for one forward pass (and for each backward product).
    public var floatingPointOperations: Double {
        2 * Double(batch) * Double(outputChannels) * Double(window.outputPixels) * Double(groupPatchSize)
    }
}
