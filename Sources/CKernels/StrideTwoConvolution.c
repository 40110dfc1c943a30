#include "CKernels.h"

#include "Vectors.h"

// Direct forward pass and weight gradient of a 3x3, stride-2, padding-1 convolution,
// without im2col.
//
// Each input channel is split into its four phase planes (even/odd rows by even/odd
// columns), each with one zero row on top and one zero column on the left. Tap (i, j)
// of output pixel (oh, ow) reads input (2 oh + i - 1, 2 ow + j - 1): for i = 0 the odd
// rows' plane at row oh - 1, for i = 1 the even rows' plane at row oh, for i = 2 the odd
// rows' plane at row oh (the same for columns). With the zero border every tap is a
// contiguous row of its phase plane, so
//   dW[o][c][i][j] += sum over (oh, ow) of dY[o][oh][ow] * phase(c, i, j)[oh][ow]
// runs as vector FMAs over 8 output pixels, with a 4-output-channel by 3-tap block of
// accumulators in registers, summed across lanes once per image; and
//   Y[o][oh][ow] = bias[o] + sum over (c, i, j) of W[o][c][i][j] * phase(c, i, j)[oh][ow]
// with a 4-output-channel by 16-pixel block of accumulators.

enum { outputBlock = 4 };

// The four phase planes of one channel, phase 2 * rowPhase + columnPhase: (rows + 1) rows
// of (columns + 1) floats, the first row and column zero. Every image row fills one row
// of two planes, its even and odd columns, 8 of each per vector, and prefetches the same
// row of the next plane: a 32x32 plane is one 4 KiB page, where the hardware prefetcher
// stops, and this first read of the input was the kernel's largest stall.
static void splitPhases(const float *image, long height, long width, float *phases) {
    long rows = height / 2, columns = width / 2, phaseWidth = columns + 1, planeSize = (rows + 1) * phaseWidth;
    for (int phase = 0; phase < 4; phase++) {
        float *plane = phases + phase * planeSize;
        memset(plane, 0, (size_t)phaseWidth * sizeof(float));
        for (long r = 1; r <= rows; r++) plane[r * phaseWidth] = 0;
    }
    for (long y = 0; y < height; y++) {
        const float *source = image + y * width;
        for (long s = 0; s < width; s += 16) __builtin_prefetch(source + height * width + s, 0, 3);
        float *even = phases + (2 * (y % 2)) * planeSize + (y / 2 + 1) * phaseWidth + 1;
        float *odd = even + planeSize;
        for (long s = 0; s < columns; s += 8) {
            f16 pixels = LOAD(f16, source + 2 * s);
            STORE(even + s, __builtin_shufflevector(pixels, pixels, 0, 2, 4, 6, 8, 10, 12, 14));
            STORE(odd + s, __builtin_shufflevector(pixels, pixels, 1, 3, 5, 7, 9, 11, 13, 15));
        }
    }
}

// Where tap index k (0, 1, 2 along one axis) reads: its phase (0 even, 1 odd) and the
// offset of output position 0 in the bordered phase plane.
static inline long tapPhase(int k) { return k == 1 ? 0 : 1; }
static inline long tapOffset(int k) { return k == 0 ? 0 : 1; }

void nayerd_conv3x3s2_weight_gradient(const float *input, const float *gradOutput, long count,
                                      long inputChannels, long outputChannels, long height, long width,
                                      float *gradWeight, float *phases) {
    long rows = height / 2, columns = width / 2, pixels = rows * columns;
    long phaseWidth = columns + 1, planeSize = (rows + 1) * phaseWidth;
    for (long image = 0; image < count; image++) {
        const float *x = input + image * inputChannels * height * width;
        const float *dy = gradOutput + image * outputChannels * pixels;
        for (long c = 0; c < inputChannels; c++) splitPhases(x + c * height * width, height, width, phases + c * 4 * planeSize);
        for (long o = 0; o < outputChannels; o += outputBlock) {
            for (long c = 0; c < inputChannels; c++) {
                for (int i = 0; i < 3; i++) {
                    // The three taps of kernel row i: one phase row, three column starts.
                    const float *taps[3];
                    for (int j = 0; j < 3; j++) {
                        taps[j] = phases + (c * 4 + tapPhase(i) * 2 + tapPhase(j)) * planeSize
                            + tapOffset(i) * phaseWidth + tapOffset(j);
                    }
                    f8 sums[outputBlock][3] = {{{0}}};
                    for (long oh = 0; oh < rows; oh++) {
                        for (long ow = 0; ow < columns; ow += 8) {
                            f8 t0 = LOAD(f8, taps[0] + oh * phaseWidth + ow);
                            f8 t1 = LOAD(f8, taps[1] + oh * phaseWidth + ow);
                            f8 t2 = LOAD(f8, taps[2] + oh * phaseWidth + ow);
                            for (int b = 0; b < outputBlock; b++) {
                                f8 d = LOAD(f8, dy + (o + b) * pixels + oh * columns + ow);
                                sums[b][0] += d * t0;
                                sums[b][1] += d * t1;
                                sums[b][2] += d * t2;
                            }
                        }
                    }
                    for (int b = 0; b < outputBlock; b++) {
                        float *target = gradWeight + ((o + b) * inputChannels + c) * 9 + 3 * i;
                        for (int j = 0; j < 3; j++) {
                            f8 s = sums[b][j];
                            f4 half = __builtin_shufflevector(s, s, 0, 1, 2, 3) + __builtin_shufflevector(s, s, 4, 5, 6, 7);
                            target[j] += (half[0] + half[2]) + (half[1] + half[3]);
                        }
                    }
                }
            }
        }
    }
}

// One block of the forward pass: 4 output channels by `chunks` vectors of 8 pixels of
// output row oh from column ow (always inlined, so each chunk count is its own loop).
static inline __attribute__((always_inline)) void forwardBlock(
    const float *phases, const float *weight, const float *bias, long o, long oh, long ow, int chunks,
    long inputChannels, long pixels, long columns, long phaseWidth, long planeSize, int rectified, float *y) {
    f8 sums[outputBlock][2];
    for (int b = 0; b < outputBlock; b++) {
        float shift = bias ? bias[o + b] : 0;
        for (int k = 0; k < chunks; k++) sums[b][k] = (f8){shift, shift, shift, shift, shift, shift, shift, shift};
    }
    for (long c = 0; c < inputChannels; c++) {
        const float *w = weight + (o * inputChannels + c) * 9;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                const float *tap = phases + (c * 4 + tapPhase(i) * 2 + tapPhase(j)) * planeSize
                    + (tapOffset(i) + oh) * phaseWidth + tapOffset(j) + ow;
                f8 t[2];
                for (int k = 0; k < chunks; k++) t[k] = LOAD(f8, tap + 8 * k);
                for (int b = 0; b < outputBlock; b++) {
                    float value = w[b * inputChannels * 9 + 3 * i + j];
                    f8 kernel = {value, value, value, value, value, value, value, value};
                    for (int k = 0; k < chunks; k++) sums[b][k] += kernel * t[k];
                }
            }
        }
    }
    for (int b = 0; b < outputBlock; b++) {
        float *target = y + (o + b) * pixels + oh * columns + ow;
        for (int k = 0; k < chunks; k++) {
            f8 value = sums[b][k];
            if (rectified) value = __builtin_elementwise_max(value, (f8){0});
            STORE(target + 8 * k, value);
        }
    }
}

void nayerd_conv3x3s2_forward(const float *input, const float *weight, const float *bias, long count,
                              long inputChannels, long outputChannels, long height, long width, int rectified,
                              float *output, float *phases) {
    long rows = height / 2, columns = width / 2, pixels = rows * columns;
    long phaseWidth = columns + 1, planeSize = (rows + 1) * phaseWidth;
    for (long image = 0; image < count; image++) {
        const float *x = input + image * inputChannels * height * width;
        float *y = output + image * outputChannels * pixels;
        for (long c = 0; c < inputChannels; c++) splitPhases(x + c * height * width, height, width, phases + c * 4 * planeSize);
        for (long o = 0; o < outputChannels; o += outputBlock) {
            for (long oh = 0; oh < rows; oh++) {
                long ow = 0;
                for (; ow + 16 <= columns; ow += 16) {
                    forwardBlock(phases, weight, bias, o, oh, ow, 2, inputChannels, pixels, columns, phaseWidth,
                                 planeSize, rectified, y);
                }
                for (; ow < columns; ow += 8) {
                    forwardBlock(phases, weight, bias, o, oh, ow, 1, inputChannels, pixels, columns, phaseWidth,
                                 planeSize, rectified, y);
                }
            }
        }
    }
}
