import Tensor

/// Inverted dropout, as torch.nn.functional.dropout: in training each element is zeroed
/// with `probability` and the survivors are scaled by 1 / (1 - probability), so the
/// expected value is unchanged and evaluation is the identity (no draws are made then).
///
/// The mask is drawn from `random` in element order, one uniform per element, so a seed
/// fixes it; backward multiplies by the same mask.
public func dropout(_ input: Variable, probability: Float, training: Bool, random: inout RandomGenerator) -> Variable {
    precondition(probability >= 0 && probability <= 1, "dropout probability \(probability) outside 0...1")
    guard training, probability > 0 else { return input }
    // p = 1 drops everything; 1 / (1 - p) would be infinite, so the kept scale is moot.
    let keptScale: Float = probability < 1 ? 1 / (1 - probability) : 0
    var mask = Tensor(uninitializedShape: input.shape)
    mask.withUnsafeMutableBufferPointer { buffer in
        for i in buffer.indices { buffer[i] = random.uniform() < probability ? 0 : keptScale }
    }
    let output = Elementwise.zip(input.value, mask, *)
    return recordOp("dropout", output: output, inputs: [input]) { [mask] gradient, _ in
        [Elementwise.zip(gradient, mask, *)]
    }
}
