import CKernels

/// 3x3, stride-2, padding-1 convolutions (the downsampling convs of the CIFAR ResNets
/// and WRNs) without im2col: direct kernels over phase planes in CKernels
/// (Sources/CKernels/StrideTwoConvolution.c), for the forward pass and the weight
/// gradient. im2col + sgemm spent about 40 % of its time writing, packing and re-reading
/// the 9x larger column matrix and stayed at PyTorch's speed; the direct kernels keep a
/// block of sums in registers (4 output channels by 3 taps, or by 16 pixels) and stream
/// each phase row once per block. The input gradient stays on im2col (col2im), already
/// 1.4-2.9x PyTorch's speed.
///
/// Like every weight gradient, each image group sums into its own partial and the
/// partials are added in group order, so results repeat bit for bit at any thread count.
enum StrideTwoConvolution {
    /// Whether the direct kernels handle this convolution: their vectors run over 8 output
    /// pixels of a row and 4 output channels at once.
    static func applies(to geometry: Conv2dGeometry) -> Bool {
        let window = geometry.window
        return window.kernelHeight == 3 && window.kernelWidth == 3 && window.stride == 2 && window.padding == 1
            && geometry.groups == 1 && window.height % 2 == 0 && window.width % 2 == 0
            && window.outputWidth % 8 == 0 && geometry.outputChannels % 4 == 0
    }

    /// The fixed partition of the batch into image groups (see ImageBlocking).
    private static func imageGroups(_ geometry: Conv2dGeometry) -> ImageBlocking {
        ImageBlocking(batch: geometry.batch, rows: 1, unitsPerRow: 1, target: 1)
    }

    /// Floats of one worker's scratch: the four bordered phase planes of every input channel.
    private static func phaseCount(_ geometry: Conv2dGeometry) -> Int {
        4 * geometry.inputChannels * (geometry.window.height / 2 + 1) * (geometry.window.width / 2 + 1)
    }

    /// The convolution, then max(0, .) when `rectified`.
    static func forward(input: Tensor, weight: Tensor, bias: Tensor?, geometry: Conv2dGeometry,
                        rectified: Bool) -> Tensor {
        precondition(applies(to: geometry) && input.shape == geometry.inputShape && weight.shape == geometry.weightShape,
                     "stride-2 convolution got input \(input.shape), weight \(weight.shape) for \(geometry)")
        let window = geometry.window
        let output = Tensor(uninitializedShape: geometry.outputShape)
        let pointers = UnsafeSendable((input.storage.pointer, weight.storage.pointer, bias?.storage.pointer,
                                       output.storage.pointer))
        imageGroups(geometry).forEachGroup(scratchCount: phaseCount(geometry)) { _, images, phases in
            let (input, weight, bias, output) = pointers.value
            nayerd_conv3x3s2_forward(input + images.lowerBound * geometry.imageSize, weight, bias, images.count,
                                     geometry.inputChannels, geometry.outputChannels, window.height, window.width,
                                     rectified ? 1 : 0, output + images.lowerBound * geometry.outputImageSize, phases)
        }
        return output
    }

    static func backwardWeight(gradOutput: Tensor, input: Tensor, geometry: Conv2dGeometry) -> Tensor {
        precondition(applies(to: geometry) && input.shape == geometry.inputShape
                     && gradOutput.shape == geometry.outputShape,
                     "stride-2 weight gradient got gradient \(gradOutput.shape), input \(input.shape) for \(geometry)")
        let window = geometry.window
        let (inputChannels, outputChannels) = (geometry.inputChannels, geometry.outputChannels)
        let weightCount = outputChannels * inputChannels * 9
        let blocking = imageGroups(geometry)
        let partials = Tensor(uninitializedShape: [blocking.groupCount, weightCount])
        let pointers = UnsafeSendable((input.storage.pointer, gradOutput.storage.pointer, partials.storage.pointer))
        blocking.forEachGroup(scratchCount: phaseCount(geometry)) { group, images, phases in
            let (input, gradOutput, partials) = pointers.value
            let partial = partials + group * weightCount
            partial.update(repeating: 0, count: weightCount)
            nayerd_conv3x3s2_weight_gradient(input + images.lowerBound * geometry.imageSize,
                                             gradOutput + images.lowerBound * geometry.outputImageSize,
                                             images.count, inputChannels, outputChannels,
                                             window.height, window.width, partial, phases)
        }
        blocking.addPartials(partials.storage.pointer, count: weightCount)
        let gradWeight = Tensor(uninitializedShape: geometry.weightShape)
        gradWeight.storage.pointer.update(from: partials.storage.pointer, count: weightCount)
        return gradWeight
    }
}
