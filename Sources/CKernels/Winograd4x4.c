#include "CKernels.h"

#include "Vectors.h"

// B^T d over six values of any vector type (rows of B^T: (4 0 -5 0 1 0) (0 -4 -4 1 1 0)
// (0 4 -4 -1 1 0) (0 -2 -1 2 1 0) (0 2 -1 -2 1 0) (0 4 0 -5 0 1)).
#define TRANSFORM_B(d, r) do { \
        __typeof__(d[0]) middle_ = d[4] - 4 * d[2], odd_ = d[3] - 4 * d[1]; \
        __typeof__(d[0]) outer_ = d[4] - d[2], step_ = 2 * (d[3] - d[1]); \
        r[0] = 4 * d[0] - 5 * d[2] + d[4]; r[1] = middle_ + odd_; r[2] = middle_ - odd_; \
        r[3] = outer_ + step_; r[4] = outer_ - step_; r[5] = 4 * d[1] - 5 * d[3] + d[5]; \
    } while (0)

// A^T m (rows (1 1 1 1 1 0) (0 1 -1 2 -2 0) (0 1 1 4 4 0) (0 1 -1 8 -8 1)).
#define TRANSFORM_A(m, y) do { \
        __typeof__(m[0]) sum12_ = m[1] + m[2], difference12_ = m[1] - m[2]; \
        __typeof__(m[0]) sum34_ = m[3] + m[4], difference34_ = m[3] - m[4]; \
        y[0] = m[0] + sum12_ + sum34_; y[1] = difference12_ + 2 * difference34_; \
        y[2] = sum12_ + 4 * sum34_; y[3] = difference12_ + 8 * difference34_ + m[5]; \
    } while (0)

// Columns 0...3 of neighbouring 4x4 tiles whose row starts at x (lane t holds x[4t + j]),
// reading no further than the tiles themselves: 8 tiles, 4 tiles, two rows of 4 (x being
// the upper row's; lanes 0-3 the upper tiles, 4-7 the lower ones, which follow them in V),
// two rows of 2 (8-pixel-wide images; lanes (r, 0) (r, 1) (r + 1, 0) (r + 1, 1)).
static inline void tileColumns8(const float *x, f8 c[4]) {
    f8 a = LOAD(f8, x), b = LOAD(f8, x + 8), e = LOAD(f8, x + 16), f = LOAD(f8, x + 24);
    f4 low0 = __builtin_shufflevector(a, b, 0, 4, 8, 12), high0 = __builtin_shufflevector(e, f, 0, 4, 8, 12);
    f4 low1 = __builtin_shufflevector(a, b, 1, 5, 9, 13), high1 = __builtin_shufflevector(e, f, 1, 5, 9, 13);
    f4 low2 = __builtin_shufflevector(a, b, 2, 6, 10, 14), high2 = __builtin_shufflevector(e, f, 2, 6, 10, 14);
    f4 low3 = __builtin_shufflevector(a, b, 3, 7, 11, 15), high3 = __builtin_shufflevector(e, f, 3, 7, 11, 15);
    c[0] = __builtin_shufflevector(low0, high0, 0, 1, 2, 3, 4, 5, 6, 7);
    c[1] = __builtin_shufflevector(low1, high1, 0, 1, 2, 3, 4, 5, 6, 7);
    c[2] = __builtin_shufflevector(low2, high2, 0, 1, 2, 3, 4, 5, 6, 7);
    c[3] = __builtin_shufflevector(low3, high3, 0, 1, 2, 3, 4, 5, 6, 7);
}

static inline void tileColumns4(const float *x, f4 c[4]) {
    f8 a = LOAD(f8, x), b = LOAD(f8, x + 8);
    c[0] = __builtin_shufflevector(a, b, 0, 4, 8, 12);
    c[1] = __builtin_shufflevector(a, b, 1, 5, 9, 13);
    c[2] = __builtin_shufflevector(a, b, 2, 6, 10, 14);
    c[3] = __builtin_shufflevector(a, b, 3, 7, 11, 15);
}

static inline void tileColumnsRowPair(const float *x, long rowDistance, f8 c[4]) {
    f4 upper[4], lower[4];
    tileColumns4(x, upper);
    tileColumns4(x + rowDistance, lower);
    for (int j = 0; j < 4; j++) c[j] = __builtin_shufflevector(upper[j], lower[j], 0, 1, 2, 3, 4, 5, 6, 7);
}

static inline void tileColumnsPair(const float *x, long rowDistance, f4 c[4]) {
    f8 a = LOAD(f8, x), b = LOAD(f8, x + rowDistance);
    c[0] = __builtin_shufflevector(a, b, 0, 4, 8, 12);
    c[1] = __builtin_shufflevector(a, b, 1, 5, 9, 13);
    c[2] = __builtin_shufflevector(a, b, 2, 6, 10, 14);
    c[3] = __builtin_shufflevector(a, b, 3, 7, 11, 15);
}

// Columns 0...5 of the overlapping 6x6 input tiles of the same runs: columns 4 and 5 are
// the next tile's 0 and 1.
static inline void columns8(const float *x, f8 c[6]) {
    tileColumns8(x, c);
    f8 next0 = {x[32], x[32], x[32], x[32], x[32], x[32], x[32], x[32]};
    f8 next1 = {x[33], x[33], x[33], x[33], x[33], x[33], x[33], x[33]};
    c[4] = __builtin_shufflevector(c[0], next0, 1, 2, 3, 4, 5, 6, 7, 8);
    c[5] = __builtin_shufflevector(c[1], next1, 1, 2, 3, 4, 5, 6, 7, 8);
}

static inline void columns4(const float *x, f4 c[6]) {
    tileColumns4(x, c);
    f4 next0 = {x[16], x[16], x[16], x[16]}, next1 = {x[17], x[17], x[17], x[17]};
    c[4] = __builtin_shufflevector(c[0], next0, 1, 2, 3, 4);
    c[5] = __builtin_shufflevector(c[1], next1, 1, 2, 3, 4);
}

static inline void columnsPair(const float *x, long rowDistance, f4 c[6]) {
    tileColumnsPair(x, rowDistance, c);
    f8 shiftedUpper = LOAD(f8, x + 2), shiftedLower = LOAD(f8, x + rowDistance + 2);
    c[4] = __builtin_shufflevector(shiftedUpper, shiftedLower, 2, 6, 10, 14);
    c[5] = __builtin_shufflevector(shiftedUpper, shiftedLower, 3, 7, 11, 15);
}

static inline void columnsRowPair(const float *x, long rowDistance, f8 c[6]) {
    f4 upper[6], lower[6];
    columns4(x, upper);
    columns4(x + rowDistance, lower);
    for (int j = 0; j < 6; j++) c[j] = __builtin_shufflevector(upper[j], lower[j], 0, 1, 2, 3, 4, 5, 6, 7);
}

// Stores the output row whose pixel 4t + j is lane t of y[j].
static inline void storeInterleaved8(float *target, const f8 y[4]) {
    f16 pairs01 = __builtin_shufflevector(y[0], y[1], 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    f16 pairs23 = __builtin_shufflevector(y[2], y[3], 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    f32 row = __builtin_shufflevector(pairs01, pairs23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23,
                                      8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
    STORE(target, row);
}

static inline void storeInterleaved4(float *target, const f4 y[4]) {
    f8 pairs01 = __builtin_shufflevector(y[0], y[1], 0, 4, 1, 5, 2, 6, 3, 7);
    f8 pairs23 = __builtin_shufflevector(y[2], y[3], 0, 4, 1, 5, 2, 6, 3, 7);
    f16 row = __builtin_shufflevector(pairs01, pairs23, 0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    STORE(target, row);
}

// The two output rows of a pair of tile rows (see columnsPair), `rowDistance` apart.
static inline void storeInterleavedPair(float *target, long rowDistance, const f4 y[4]) {
    f8 pairs01 = __builtin_shufflevector(y[0], y[1], 0, 4, 1, 5, 2, 6, 3, 7);
    f8 pairs23 = __builtin_shufflevector(y[2], y[3], 0, 4, 1, 5, 2, 6, 3, 7);
    f8 upper = __builtin_shufflevector(pairs01, pairs23, 0, 1, 8, 9, 2, 3, 10, 11);
    f8 lower = __builtin_shufflevector(pairs01, pairs23, 4, 5, 12, 13, 6, 7, 14, 15);
    STORE(target, upper);
    STORE(target + rowDistance, lower);
}

static inline void storeInterleavedRowPair(float *target, long rowDistance, const f8 y[4]) {
    f4 upper[4], lower[4];
    for (int j = 0; j < 4; j++) {
        upper[j] = __builtin_shufflevector(y[j], y[j], 0, 1, 2, 3);
        lower[j] = __builtin_shufflevector(y[j], y[j], 4, 5, 6, 7);
    }
    storeInterleaved4(target, upper);
    storeInterleaved4(target + rowDistance, lower);
}

// One run of tiles, lane t = tile t: rows transformed along their columns first, then
// the six rows combined; each of the 36 results is one vector store.
#define INPUT_RUN(type, columns, band, paddedWidth, out, matrixStride) do { \
        type rows_[6][6]; \
        for (int i_ = 0; i_ < 6; i_++) { \
            type c_[6]; \
            columns((band) + i_ * (paddedWidth), c_); \
            TRANSFORM_B(c_, rows_[i_]); \
        } \
        for (int j_ = 0; j_ < 6; j_++) { \
            type d_[6] = {rows_[0][j_], rows_[1][j_], rows_[2][j_], rows_[3][j_], rows_[4][j_], rows_[5][j_]}; \
            type v_[6]; \
            TRANSFORM_B(d_, v_); \
            for (int i_ = 0; i_ < 6; i_++) STORE((out) + (6 * i_ + j_) * (matrixStride), v_[i_]); \
        } \
    } while (0)

#define OUTPUT_RUN(type, storeInterleaved, m, matrixStride, shift, rectified, first, width) do { \
        type columns_[6][4]; \
        for (int j_ = 0; j_ < 6; j_++) { \
            type c_[6]; \
            for (int i_ = 0; i_ < 6; i_++) c_[i_] = LOAD(type, (m) + (6 * i_ + j_) * (matrixStride)); \
            TRANSFORM_A(c_, columns_[j_]); \
        } \
        for (int y_ = 0; y_ < 4; y_++) { \
            type r_[6] = {columns_[0][y_], columns_[1][y_], columns_[2][y_], \
                          columns_[3][y_], columns_[4][y_], columns_[5][y_]}; \
            type pixels_[4]; \
            TRANSFORM_A(r_, pixels_); \
            for (int x_ = 0; x_ < 4; x_++) { \
                pixels_[x_] += (shift); \
                if (rectified) pixels_[x_] = __builtin_elementwise_max(pixels_[x_], (type){0}); \
            } \
            storeInterleaved((first) + y_ * (width), pixels_); \
        } \
    } while (0)

// A y over four values (rows of A: (1 0 0 0) (1 1 1 1) (1 -1 1 -1) (1 2 4 8) (1 -2 4 -8)
// (0 0 0 1)), for the weight gradient's dM = A dY A^T.
#define TRANSFORM_A_TRANSPOSED(y, o) do { \
        __typeof__(y[0]) even_ = y[0] + y[2], odd_ = y[1] + y[3]; \
        __typeof__(y[0]) evenWeighted_ = y[0] + 4 * y[2], oddWeighted_ = 2 * y[1] + 8 * y[3]; \
        o[0] = y[0]; o[1] = even_ + odd_; o[2] = even_ - odd_; \
        o[3] = evenWeighted_ + oddWeighted_; o[4] = evenWeighted_ - oddWeighted_; o[5] = y[3]; \
    } while (0)

#define OUTPUT_GRADIENT_RUN(type, columns, first, width, out, matrixStride) do { \
        type rows_[4][6]; \
        for (int i_ = 0; i_ < 4; i_++) { \
            type c_[4]; \
            columns((first) + i_ * (width), c_); \
            TRANSFORM_A_TRANSPOSED(c_, rows_[i_]); \
        } \
        for (int j_ = 0; j_ < 6; j_++) { \
            type y_[4] = {rows_[0][j_], rows_[1][j_], rows_[2][j_], rows_[3][j_]}; \
            type m_[6]; \
            TRANSFORM_A_TRANSPOSED(y_, m_); \
            for (int i_ = 0; i_ < 6; i_++) STORE((out) + (6 * i_ + j_) * (matrixStride), m_[i_]); \
        } \
    } while (0)

// Walks the vector runs of a band of `tileRows` rows of `tilesWide` tiles: two tile rows
// of 2 (tilesWide 2, rows in pairs), two tile rows of 4 (tilesWide 4; an odd last row runs
// alone), else runs of 8, then 4, tiles along each row. RUN(type, shape, row, column) does
// one run, `shape` being the argument named for it (a column loader or an output store).
#define FOR_EACH_RUN(tileRows, tilesWide, RUN, pairOf2, pairOf4, runOf8, runOf4) do { \
        long row_ = 0; \
        if ((tilesWide) == 2) { \
            for (; row_ + 1 < (tileRows); row_ += 2) RUN(f4, pairOf2, row_, 0); \
            break; \
        } \
        if ((tilesWide) == 4) { \
            for (; row_ + 1 < (tileRows); row_ += 2) RUN(f8, pairOf4, row_, 0); \
        } \
        for (; row_ < (tileRows); row_++) { \
            long column_ = 0; \
            for (; column_ + 8 <= (tilesWide); column_ += 8) RUN(f8, runOf8, row_, column_); \
            for (; column_ + 4 <= (tilesWide); column_ += 4) RUN(f4, runOf4, row_, column_); \
        } \
    } while (0)

void nayerd_winograd4x4_output_gradient(const float *gradient, long width, long tileRows, long tilesWide,
                                        float *out, long matrixStride) {
#define COLUMNS_PAIR(x, c) tileColumnsPair((x), 4 * width, (c))
#define COLUMNS_ROW_PAIR(x, c) tileColumnsRowPair((x), 4 * width, (c))
#define RUN(type, columns, row, column) \
    OUTPUT_GRADIENT_RUN(type, columns, gradient + 4 * (row) * width + 4 * (column), width, \
                        out + (row) * tilesWide + (column), matrixStride)
    FOR_EACH_RUN(tileRows, tilesWide, RUN, COLUMNS_PAIR, COLUMNS_ROW_PAIR, tileColumns8, tileColumns4);
#undef COLUMNS_PAIR
#undef COLUMNS_ROW_PAIR
#undef RUN
}

void nayerd_winograd4x4_input(const float *padded, long paddedWidth, long tileRows, long tilesWide,
                              float *out, long matrixStride) {
#define COLUMNS_PAIR(x, c) columnsPair((x), 4 * paddedWidth, (c))
#define COLUMNS_ROW_PAIR(x, c) columnsRowPair((x), 4 * paddedWidth, (c))
#define RUN(type, columns, row, column) \
    INPUT_RUN(type, columns, padded + 4 * (row) * paddedWidth + 4 * (column), paddedWidth, \
              out + (row) * tilesWide + (column), matrixStride)
    FOR_EACH_RUN(tileRows, tilesWide, RUN, COLUMNS_PAIR, COLUMNS_ROW_PAIR, columns8, columns4);
#undef COLUMNS_PAIR
#undef COLUMNS_ROW_PAIR
#undef RUN
}

void nayerd_winograd4x4_output(const float *product, long matrixStride, long tileRows, long tilesWide,
                               float shift, int rectified, float *output, long width) {
#define STORE_PAIR(target, y) storeInterleavedPair((target), 4 * width, (y))
#define STORE_ROW_PAIR(target, y) storeInterleavedRowPair((target), 4 * width, (y))
#define RUN(type, store, row, column) \
    OUTPUT_RUN(type, store, product + (row) * tilesWide + (column), matrixStride, shift, rectified, \
               output + 4 * (row) * width + 4 * (column), width)
    FOR_EACH_RUN(tileRows, tilesWide, RUN, STORE_PAIR, STORE_ROW_PAIR, storeInterleaved8, storeInterleaved4);
#undef STORE_PAIR
#undef STORE_ROW_PAIR
#undef RUN
}
