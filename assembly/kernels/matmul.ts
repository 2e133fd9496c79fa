// Batched matrix multiply C = A·B (or C += A·B) where A and B arrive with arbitrary strides,
// so transposed operands (a.t(), a.mT) and broadcast batches (0 strides) need no copy.
// desc = [batch shape (bn)][A batch strides][B batch strides][C batch strides][aRow, aCol, bRow, bCol]
// in bytes; C is written row-major with rows of N elements.
import { F32, F64, I32, I64 } from "../dtype";
import { MAX_DIMS } from "../memory";

// f32 path: GotoBLAS-style blocking. A and B blocks are packed into contiguous panels
// (this is where any strides are absorbed), then a 4x8 register-blocked SIMD micro-kernel
// runs over them.
const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;
const NC = 512;

let packedA: usize = 0;
let packedB: usize = 0;
const edgeTile = memory.data(MR * NR * 4, 16);
const batchCounters = memory.data(MAX_DIMS * 4, 16);

/** Packs an mc x kc block of A into panels of MR rows: panel p holds [k][MR], zero-padded. */
function packA(a: usize, rowStride: isize, colStride: isize, mc: i32, kc: i32): void {
  let dst = packedA;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    for (let k = 0; k < kc; k++) {
      const src = a + <isize>i0 * rowStride + <isize>k * colStride;
      for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(src + <isize>r * rowStride) : 0);
      dst += MR << 2;
    }
  }
}

/** Packs a kc x nc block of B into panels of NR columns: panel p holds [k][NR], zero-padded. */
function packB(b: usize, rowStride: isize, colStride: isize, kc: i32, nc: i32): void {
  let dst = packedB;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    for (let k = 0; k < kc; k++) {
      const src = b + <isize>k * rowStride + <isize>j0 * colStride;
      if (cols == NR && colStride == 4) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), c < cols ? load<f32>(src + <isize>c * colStride) : 0);
      }
      dst += NR << 2;
    }
  }
}

/** C[0:mr, 0:nr] (+)= Apanel · Bpanel over kc; ldc in bytes. */
function microKernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, mr: i32, nr: i32, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += MR << 2; bp += NR << 2;
  }
  if (mr == MR && nr == NR) {
    if (!overwrite) {
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
  // partial tile at the matrix edge: go through a small buffer
  v128.store(edgeTile, c00); v128.store(edgeTile, c01, 16);
  v128.store(edgeTile, c10, 32); v128.store(edgeTile, c11, 48);
  v128.store(edgeTile, c20, 64); v128.store(edgeTile, c21, 80);
  v128.store(edgeTile, c30, 96); v128.store(edgeTile, c31, 112);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const q = c + <usize>i * ldc + (<usize>j << 2);
      const v = load<f32>(edgeTile + (<usize>(i * NR + j) << 2));
      store<f32>(q, overwrite ? v : load<f32>(q) + v);
    }
  }
}

function gemmF32(M: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbk: isize, sbn: isize, c: usize, accumulate: bool): void {
  const ldc = <usize>N << 2;
  if (K == 0) {
    if (!accumulate) memory.fill(c, 0, <usize>M * ldc);
    return;
  }
  if (packedA == 0) { packedA = heap.alloc(MC * KC * 4); packedB = heap.alloc(KC * NC * 4); }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(b + <isize>pc * sbk + <isize>jc * sbn, sbk, sbn, kc, nc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(a + <isize>ic * sam + <isize>pc * sak, sam, sak, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel(kc, packedA + (<usize>(ir * kc) << 2), packedB + (<usize>(jr * kc) << 2),
              c + <usize>(ic + ir) * ldc + (<usize>(jc + jr) << 2), ldc,
              min(MR, mc - ir), min(NR, nc - jr), pc == 0 && !accumulate);
          }
        }
      }
    }
  }
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
    case F32: gemmF32(M, N, K, a, sam, sak, b, sbk, sbn, c, accumulate); break;
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
