// Batched matrix multiply C = A·B (or C += A·B) where A and B arrive with arbitrary strides,
// so transposed operands (a.t(), a.mT) and broadcast batches (0 strides) need no copy.
// desc = [batch shape (bn)][A batch strides][B batch strides][C batch strides][aRow, aCol, bRow, bCol]
// in bytes; C is written row-major with rows of N elements.
import { F32, F64, I32, I64 } from "../dtype";
import { MAX_DIMS } from "../memory";
import { madd } from "../simd/lanes";

// ---- float32: GotoBLAS-style blocking ----------------------------------------------------------
//
// Blocks of A (MC x KC) and B (KC x NC) are packed into panels (this is where any strides are
// absorbed: a transposed operand costs a 4x4 transpose per 16 elements while packing, then runs
// the same code), and an MR x NR register tile walks them: per k it loads NR floats of B and
// broadcasts MR of A. 4x8 is what V8's x64 code keeps in registers with no spills (8
// accumulators, 2 B vectors, 1 broadcast, 1 temporary of 15 allocatable); both mul and add are
// bound by two ports each, so the tile shape does not change the peak, and unrolling the k loop
// makes binaryen interleave the steps into more live vectors than there are registers.
// The B micro-panel (KC x NR, 8 KB) stays in L1 while the tile walks down the A block (128 KB,
// L2); B blocks are at most 1 MB.
//
// Small problems skip the packing that would not pay for itself: with few rows (M <= SMALL_M) a
// row-major B is read in place, and with at most DOT_SIDE rows or columns against a k-contiguous
// operand (x·Wᵀ for a single sample, matrix·vector) C is a set of dot products.
const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;
const NC = 1024;
/** Up to this many rows, B's micro-panels are reused too little to be worth packing. */
const SMALL_M = 16;
/** Up to this many rows (or columns), dot products along contiguous k beat any packing. */
const DOT_SIDE = 4;

let packedA: usize = 0;
let packedB: usize = 0;
let packedBytesB: usize = 0;
const edgeTile = memory.data(MR * NR * 4, 16);
const batchCounters = memory.data(MAX_DIMS * 4, 16);

/** The packing buffers: A's is fixed (MC x KC), B's grows to what the largest problem needs. */
function reservePacking(bytesB: usize): void {
  if (packedA == 0) packedA = heap.alloc(MC * KC * 4);
  if (bytesB > packedBytesB) {
    if (packedB != 0) heap.free(packedB);
    packedB = heap.alloc(bytesB);
    packedBytesB = bytesB;
  }
}

/** Stores four vectors (rows r0..r3 of a 4x4 block) transposed: column c goes to dst + c·step. */
@inline function storeTransposed(dst: usize, step: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs `count` lines of `kc` elements into panels of `width` (MR for A's rows, NR for B's
 * columns): panel p holds, for each k, the elements of lines p·width .. p·width + width - 1,
 * zero-padded past `count`. Element (line l, k) is at src + l·lineStride + k·kStride.
 */
function packPanels(dst: usize, src: usize, lineStride: isize, kStride: isize, count: i32, kc: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  for (let l0 = 0; l0 < count; l0 += width) {
    const lines = min(width, count - l0);
    const base = src + <isize>l0 * lineStride;
    let k = 0;
    if (lines == width && lineStride == 4) {
      // the lines are adjacent: each k is `width` contiguous floats (Aᵀ, row-major B)
      for (; k < kc; k++) {
        const from = base + <isize>k * kStride;
        for (let g = 0; g < width; g += 4) v128.store(dst + (<usize>g << 2), v128.load(from + (<isize>g << 2)));
        dst += rowBytes;
      }
    } else if (lines == width && kStride == 4) {
      // each line is contiguous along k (row-major A, Bᵀ): 4x4 transposes
      for (; k + 4 <= kc; k += 4) {
        for (let g = 0; g < width; g += 4) {
          const from = base + <isize>g * lineStride + (<isize>k << 2);
          storeTransposed(dst + (<usize>g << 2), rowBytes,
            v128.load(from), v128.load(from + lineStride), v128.load(from + 2 * lineStride), v128.load(from + 3 * lineStride));
        }
        dst += rowBytes << 2;
      }
    }
    // any other layout, the k remainder and the partial panel at the edge
    for (; k < kc; k++) {
      const from = base + <isize>k * kStride;
      for (let l = 0; l < width; l++) store<f32>(dst + (<usize>l << 2), l < lines ? load<f32>(from + <isize>l * lineStride) : 0);
      dst += rowBytes;
    }
  }
}

/**
 * The MR x NR tile C[0:mr, 0:nr] (+)= Ã·B over kc: `ap` walks a packed A panel ([k][MR]), `bp`
 * rows of NR floats `bStep` bytes apart (a packed panel, or B itself). C's rows are `ldc` bytes
 * apart, its columns `cStep`; `accumulate` adds to what C holds. Inlined into its one caller:
 * called as a function, it ran 12-23 % slower (its ten arguments and the edge path around
 * the eight accumulators), on 512² and on the MLP's shapes alike.
 */
@inline function tile(kc: i32, ap: usize, bp: usize, bStep: usize, c: usize, ldc: usize, cStep: usize, mr: i32, nr: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    ap += MR << 2; bp += bStep;
  }
  if (mr == MR && nr == NR && cStep == 4) {
    if (accumulate) {
      c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
      c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
      c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
    }
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
    v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
    v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
    return;
  }
  // a partial tile at the matrix edge, or C transposed: through a small buffer
  v128.store(edgeTile, c00); v128.store(edgeTile, c01, 16);
  v128.store(edgeTile, c10, 32); v128.store(edgeTile, c11, 48);
  v128.store(edgeTile, c20, 64); v128.store(edgeTile, c21, 80);
  v128.store(edgeTile, c30, 96); v128.store(edgeTile, c31, 112);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const q = c + <usize>i * ldc + <usize>j * cStep;
      const v = load<f32>(edgeTile + (<usize>(i * NR + j) << 2));
      store<f32>(q, accumulate ? load<f32>(q) + v : v);
    }
  }
}

/** C (+)= A·B through packed blocks; B is read in place instead when few rows would reuse its packing. */
function gemmBlocked(M: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbk: isize, sbn: isize,
  c: usize, ldc: usize, cStep: usize, accumulate: bool): void {
  const packB = !(M <= SMALL_M && sbn == 4);
  reservePacking(<usize>min(K, KC) * <usize>(packB ? min(N, NC) + NR : NR) << 2);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const bBlock = b + <isize>pc * sbk + <isize>jc * sbn;
      if (packB) packPanels(packedB, bBlock, sbn, sbk, nc, kc, NR);
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packPanels(packedA, a + <isize>ic * sam + <isize>pc * sak, sam, sak, mc, kc, MR);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          let bp = packedB + (<usize>(jr * kc) << 2), bStep: usize = NR << 2;
          if (!packB) {
            if (nr == NR) { bp = bBlock + (<usize>jr << 2); bStep = sbk; }
            else { packPanels(packedB, bBlock + (<usize>jr << 2), 4, sbk, nr, kc, NR); bp = packedB; }
          }
          for (let ir = 0; ir < mc; ir += MR) {
            tile(kc, packedA + (<usize>(ir * kc) << 2), bp, bStep,
              c + <usize>(ic + ir) * ldc + <usize>(jc + jr) * cStep, ldc, cStep, min(MR, mc - ir), nr, add);
          }
        }
      }
    }
  }
}

/** Σ_k x[k]·y[k] over n contiguous floats, four lanes at a time, for four y rows `yStride` apart. */
@inline function dot4(x: usize, y: usize, yStride: isize, n: i32): v128 {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const off = <usize>k << 2;
    const xv = v128.load(x + off), q = y + off;
    s0 = madd(xv, v128.load(q), s0);
    s1 = madd(xv, v128.load(q + yStride), s1);
    s2 = madd(xv, v128.load(q + 2 * yStride), s2);
    s3 = madd(xv, v128.load(q + 3 * yStride), s3);
  }
  // [Σs0, Σs1, Σs2, Σs3]: two rounds of pairwise sums
  const u0 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 1, 4, 5), v128.shuffle<f32>(s0, s1, 2, 3, 6, 7));
  const u1 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 1, 4, 5), v128.shuffle<f32>(s2, s3, 2, 3, 6, 7));
  let sums = f32x4.add(v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), v128.shuffle<f32>(u0, u1, 1, 3, 5, 7));
  for (; k < n; k++) {
    const xk = v128.load32_splat(x + (<usize>k << 2));
    const q = y + (<usize>k << 2);
    const yk = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(q)),
      1, load<f32>(q + yStride)), 2, load<f32>(q + 2 * yStride)), 3, load<f32>(q + 3 * yStride));
    sums = madd(xk, yk, sums);
  }
  return sums;
}

/**
 * C (+)= A·B for M <= DOT_SIDE rows and B contiguous along k (sbk == 4): each C[i, j] is the dot
 * product of A's row i with B's column j. A's rows are copied to be contiguous if they are not.
 */
function gemmDot(M: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbn: isize,
  c: usize, ldc: usize, cStep: usize, accumulate: bool): void {
  if (sak != 4) {
    reservePacking(0);
    // DOT_SIDE rows of K floats fit in the A packing buffer when K <= MC·KC / DOT_SIDE
    for (let i = 0; i < M; i++) {
      for (let k = 0; k < K; k++) store<f32>(packedA + (<usize>(i * K + k) << 2), load<f32>(a + <isize>i * sam + <isize>k * sak));
    }
    a = packedA; sam = <isize>K << 2;
  }
  for (let i = 0; i < M; i++) {
    const row = a + <isize>i * sam, crow = c + <usize>i * ldc;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let sums = dot4(row, b + <isize>j * sbn, sbn, K);
      const q = crow + <usize>j * cStep;
      if (cStep == 4) {
        if (accumulate) sums = f32x4.add(sums, v128.load(q));
        v128.store(q, sums);
      } else {
        v128.store(edgeTile, sums);
        for (let t = 0; t < 4; t++) {
          const p = q + <usize>t * cStep, v = load<f32>(edgeTile + (<usize>t << 2));
          store<f32>(p, accumulate ? load<f32>(p) + v : v);
        }
      }
    }
    for (; j < N; j++) {
      // one column: its row repeated in all four lanes, lane 0 kept
      const v = f32x4.extract_lane(dot4(row, b + <isize>j * sbn, 0, K), 0);
      const p = crow + <usize>j * cStep;
      store<f32>(p, accumulate ? load<f32>(p) + v : v);
    }
  }
}

/**
 * C (+)= A·B in float32; C's rows are `ldc` bytes apart and its columns `cStep`. A problem with
 * few columns is solved as its transpose (Cᵀ = Bᵀ·Aᵀ), so that the paths for few rows serve both.
 */
function gemmF32(M: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbk: isize, sbn: isize,
  c: usize, ldc: usize, cStep: usize, accumulate: bool): void {
  if (N < M && N <= SMALL_M) {
    gemmF32(N, M, K, b, sbn, sbk, a, sak, sam, c, cStep, ldc, accumulate);
    return;
  }
  if (M <= DOT_SIDE && sbk == 4 && K <= MC * KC / DOT_SIDE) gemmDot(M, N, K, a, sam, sak, b, sbn, c, ldc, cStep, accumulate);
  else gemmBlocked(M, N, K, a, sam, sak, b, sbk, sbn, c, ldc, cStep, accumulate);
}

/** Reference loop for the other dtypes (float64 is what gradcheck needs). */
function gemmScalar<T>(M: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbk: isize, sbn: isize, c: usize, accumulate: bool): void {
  for (let i = 0; i < M; i++) {
    const crow = c + <usize>i * <usize>N * sizeof<T>();
    if (!accumulate) memory.fill(crow, 0, <usize>N * sizeof<T>());
    for (let k = 0; k < K; k++) {
      const av = load<T>(a + <isize>i * sam + <isize>k * sak);
      const brow = b + <isize>k * sbk;
      for (let j = 0; j < N; j++) {
        const q = crow + <usize>j * sizeof<T>();
        store<T>(q, load<T>(q) + av * load<T>(brow + <isize>j * sbn));
      }
    }
  }
}

function gemm(dtype: i32, M: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbk: isize, sbn: isize, c: usize, accumulate: bool): void {
  switch (dtype) {
    case F32:
      if (K == 0) { if (!accumulate) memory.fill(c, 0, <usize>M * <usize>N << 2); }
      else gemmF32(M, N, K, a, sam, sak, b, sbk, sbn, c, <usize>N << 2, 4, accumulate);
      break;
    case F64: gemmScalar<f64>(M, N, K, a, sam, sak, b, sbk, sbn, c, accumulate); break;
    case I32: gemmScalar<i32>(M, N, K, a, sam, sak, b, sbk, sbn, c, accumulate); break;
    case I64: gemmScalar<i64>(M, N, K, a, sam, sak, b, sbk, sbn, c, accumulate); break;
    default: gemmScalar<u8>(M, N, K, a, sam, sak, b, sbk, sbn, c, accumulate); break;
  }
}

export function matmul(dtype: i32, bn: i32, desc: usize, M: i32, N: i32, K: i32, c: usize, a: usize, b: usize, accumulate: bool): void {
  const shape = desc;
  const aStr = desc + (<usize>bn << 2), bStr = aStr + (<usize>bn << 2), cStr = bStr + (<usize>bn << 2);
  const mat = cStr + (<usize>bn << 2);
  const sam = <isize>load<i32>(mat), sak = <isize>load<i32>(mat, 4);
  const sbk = <isize>load<i32>(mat, 8), sbn = <isize>load<i32>(mat, 12);
  let batches = 1;
  for (let d = 0; d < bn; d++) { batches *= load<i32>(shape + (<usize>d << 2)); store<i32>(batchCounters + (<usize>d << 2), 0); }
  for (let t = 0; t < batches; t++) {
    gemm(dtype, M, N, K, a, sam, sak, b, sbk, sbn, c, accumulate);
    let d = bn - 1;
    while (d >= 0) {
      const cnt = load<i32>(batchCounters + (<usize>d << 2)) + 1;
      const size = load<i32>(shape + (<usize>d << 2));
      const da = <isize>load<i32>(aStr + (<usize>d << 2)), db = <isize>load<i32>(bStr + (<usize>d << 2));
      const dc = <isize>load<i32>(cStr + (<usize>d << 2));
      if (cnt < size) { store<i32>(batchCounters + (<usize>d << 2), cnt); a += da; b += db; c += dc; break; }
      store<i32>(batchCounters + (<usize>d << 2), 0);
      a -= da * <isize>(size - 1); b -= db * <isize>(size - 1); c -= dc * <isize>(size - 1);
      d--;
    }
  }
}
