#ifndef NAYERD_CKERNELS_H
#define NAYERD_CKERNELS_H

// Convolution kernels in C vector extensions, where Swift's SIMD types compiled the core
// to scalar code (docs/architecture.md).
//
// The F(4x4, 3x3) Winograd input and output transforms over one channel's band of tile
// rows (see Winograd3x3Plan.swift for the layout): their core is a stride-4 deinterleave
// of 32 floats into 8 lanes, four times slower as Swift's scalar code than as clang's
// shuffles.

// V = B^T d B for `tileRows` rows of `tilesWide` 4x4 tiles: a multiple of 4, or 2 with
// an even number of rows (pairs of tile rows then share a vector). `padded`
// is the band with its zero border, row length `paddedWidth` = 4 tilesWide + 2; tile
// (r, c) reads its rows 4r...4r+5, columns 4c...4c+5. The 36 values of tile (r, c) go
// to out[k * matrixStride + r * tilesWide + c], k = 6 * row + column.
void nayerd_winograd4x4_input(const float *padded, long paddedWidth, long tileRows, long tilesWide,
                              float *out, long matrixStride);

// Y = A^T M A + shift (then max(0, Y) when `rectified`) for the same tiles: tile (r, c)
// reads product[k * matrixStride + r * tilesWide + c] and writes output rows 4r...4r+3,
// columns 4c...4c+3, row length `width` = 4 tilesWide.
void nayerd_winograd4x4_output(const float *product, long matrixStride, long tileRows, long tilesWide,
                               float shift, int rectified, float *output, long width);

// dM = A dY A^T for the same tiles of an output gradient: tile (r, c) reads rows
// 4r...4r+3, columns 4c...4c+3 of `gradient` (row length `width` = 4 tilesWide) and
// writes out[k * matrixStride + r * tilesWide + c].
void nayerd_winograd4x4_output_gradient(const float *gradient, long width, long tileRows, long tilesWide,
                                        float *out, long matrixStride);

// Adds the weight gradient of a 3x3, stride-2, padding-1 convolution over `count`
// images to gradWeight [outputChannels, inputChannels, 3, 3]: input [count,
// inputChannels, height, width] (both even), gradOutput [count, outputChannels,
// height / 2, width / 2] (width / 2 a multiple of 8, outputChannels of 4). `phases` is
// scratch for 4 inputChannels (height / 2 + 1) (width / 2 + 1) floats.
void nayerd_conv3x3s2_weight_gradient(const float *input, const float *gradOutput, long count,
                                      long inputChannels, long outputChannels, long height, long width,
                                      float *gradWeight, float *phases);

// The same convolution's forward pass over `count` images: output [count,
// outputChannels, height / 2, width / 2] = conv(input, weight [outputChannels,
// inputChannels, 3, 3]) + bias (may be NULL), then max(0, .) when `rectified`.
void nayerd_conv3x3s2_forward(const float *input, const float *weight, const float *bias, long count,
                              long inputChannels, long outputChannels, long height, long width, int rectified,
                              float *output, float *phases);

#endif
