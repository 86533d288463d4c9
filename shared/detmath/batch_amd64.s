//go:build !noasm

#include "textflag.h"

// The kernels below use AVX2 loads, VMULPD, VADDPD, VSUBPD, VDIVPD and
// VBROADCASTSD only: every product is rounded before it is added, as in
// the pure-Go kernels. No fused multiply-add (VFMADD*) may ever appear
// here: TestAssemblyHasNoFusedMultiplyAdd reads this file.

// tailmask<>+32t holds a VMASKMOVPD mask that loads the first t of four
// elements and zeroes the others.
DATA tailmask<>+0(SB)/8, $0
DATA tailmask<>+8(SB)/8, $0
DATA tailmask<>+16(SB)/8, $0
DATA tailmask<>+24(SB)/8, $0
DATA tailmask<>+32(SB)/8, $-1
DATA tailmask<>+40(SB)/8, $0
DATA tailmask<>+48(SB)/8, $0
DATA tailmask<>+56(SB)/8, $0
DATA tailmask<>+64(SB)/8, $-1
DATA tailmask<>+72(SB)/8, $-1
DATA tailmask<>+80(SB)/8, $0
DATA tailmask<>+88(SB)/8, $0
DATA tailmask<>+96(SB)/8, $-1
DATA tailmask<>+104(SB)/8, $-1
DATA tailmask<>+112(SB)/8, $-1
DATA tailmask<>+120(SB)/8, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $128

// The dot kernels keep one 4-lane accumulator per output, element i in
// lane i%4: a YMM register is exactly Dot's l0..l3. The n%4 tail elements
// are loaded masked (the others read as +0, whose product +0 leaves a lane
// unchanged: a lane starts at +0 and so is never -0), then each output is
// (l0+l1)+(l2+l3) by VHADDPD and one VADDPD.

// STEP2x4 adds the products of Y8 (a0) and Y9 (a1) with b to acc0, acc1.
#define STEP2x4(b, acc0, acc1) \
	VMULPD b, Y8, Y11; \
	VMULPD b, Y9, Y12; \
	VADDPD Y11, acc0, acc0; \
	VADDPD Y12, acc1, acc1

// STEP4x1 adds the product of Y8 (b) with a to acc.
#define STEP4x1(a, acc) \
	VMULPD a, Y8, Y11; \
	VADDPD Y11, acc, acc

// COMBINE2 stores (l0+l1)+(l2+l3) of accA and of accB at off(R9), off+8(R9).
#define COMBINE2(accA, accB, off) \
	VHADDPD      accB, accA, Y8; \
	VEXTRACTF128 $1, Y8, X9; \
	VADDPD       X9, X8, X8; \
	VMOVUPD      X8, off(R9)

// func dot2x4(a0, a1, b0, b1, b2, b3 *float64, n int, out *[8]float64)
TEXT ·dot2x4(SB), NOSPLIT, $0-64
	MOVQ a0+0(FP), AX
	MOVQ a1+8(FP), BX
	MOVQ b0+16(FP), CX
	MOVQ b1+24(FP), DX
	MOVQ b2+32(FP), SI
	MOVQ b3+40(FP), DI
	MOVQ n+48(FP), R8
	MOVQ out+56(FP), R9
	MOVQ R8, R12
	ANDQ $3, R12             // tail length
	ANDQ $-4, R8
	SHLQ $3, R8              // bytes in whole blocks
	XORQ R10, R10
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7

loop2x4:
	CMPQ    R10, R8
	JGE     tail2x4
	VMOVUPD (AX)(R10*1), Y8
	VMOVUPD (BX)(R10*1), Y9
	VMOVUPD (CX)(R10*1), Y10
	STEP2x4(Y10, Y0, Y4)
	VMOVUPD (DX)(R10*1), Y13
	STEP2x4(Y13, Y1, Y5)
	VMOVUPD (SI)(R10*1), Y10
	STEP2x4(Y10, Y2, Y6)
	VMOVUPD (DI)(R10*1), Y13
	STEP2x4(Y13, Y3, Y7)
	ADDQ    $32, R10
	JMP     loop2x4

tail2x4:
	TESTQ      R12, R12
	JZ         combine2x4
	SHLQ       $5, R12
	LEAQ       tailmask<>(SB), R13
	VMOVUPD    (R13)(R12*1), Y15
	VMASKMOVPD (AX)(R10*1), Y15, Y8
	VMASKMOVPD (BX)(R10*1), Y15, Y9
	VMASKMOVPD (CX)(R10*1), Y15, Y10
	STEP2x4(Y10, Y0, Y4)
	VMASKMOVPD (DX)(R10*1), Y15, Y10
	STEP2x4(Y10, Y1, Y5)
	VMASKMOVPD (SI)(R10*1), Y15, Y10
	STEP2x4(Y10, Y2, Y6)
	VMASKMOVPD (DI)(R10*1), Y15, Y10
	STEP2x4(Y10, Y3, Y7)

combine2x4:
	COMBINE2(Y0, Y1, 0)
	COMBINE2(Y2, Y3, 16)
	COMBINE2(Y4, Y5, 32)
	COMBINE2(Y6, Y7, 48)
	VZEROUPPER
	RET

// func dot4x1(a0, a1, a2, a3, b *float64, n int, out *[4]float64)
TEXT ·dot4x1(SB), NOSPLIT, $0-56
	MOVQ a0+0(FP), AX
	MOVQ a1+8(FP), BX
	MOVQ a2+16(FP), CX
	MOVQ a3+24(FP), DX
	MOVQ b+32(FP), SI
	MOVQ n+40(FP), R8
	MOVQ out+48(FP), R9
	MOVQ R8, R12
	ANDQ $3, R12
	ANDQ $-4, R8
	SHLQ $3, R8
	XORQ R10, R10
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

loop4x1:
	CMPQ    R10, R8
	JGE     tail4x1
	VMOVUPD (SI)(R10*1), Y8
	STEP4x1((AX)(R10*1), Y0)
	STEP4x1((BX)(R10*1), Y1)
	STEP4x1((CX)(R10*1), Y2)
	STEP4x1((DX)(R10*1), Y3)
	ADDQ    $32, R10
	JMP     loop4x1

tail4x1:
	TESTQ      R12, R12
	JZ         combine4x1
	SHLQ       $5, R12
	LEAQ       tailmask<>(SB), R13
	VMOVUPD    (R13)(R12*1), Y15
	VMASKMOVPD (SI)(R10*1), Y15, Y8
	VMASKMOVPD (AX)(R10*1), Y15, Y9
	STEP4x1(Y9, Y0)
	VMASKMOVPD (BX)(R10*1), Y15, Y9
	STEP4x1(Y9, Y1)
	VMASKMOVPD (CX)(R10*1), Y15, Y9
	STEP4x1(Y9, Y2)
	VMASKMOVPD (DX)(R10*1), Y15, Y9
	STEP4x1(Y9, Y3)

combine4x1:
	COMBINE2(Y0, Y1, 0)
	COMBINE2(Y2, Y3, 16)
	VZEROUPPER
	RET

// func axpyNAVX2(dst *float64, n int, alpha *float64, x *[]float64, k, at int)
//
// For each block of dst (32 elements, then 4), dst stays in registers while
// the k terms are added in increasing order: per element the operations
// are those of k successive Axpy calls.
TEXT ·axpyNAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), R8
	MOVQ alpha+16(FP), SI
	MOVQ x+24(FP), DX
	MOVQ k+32(FP), CX
	MOVQ at+40(FP), R9
	SHLQ $3, R8              // n in bytes
	SHLQ $3, R9              // at in bytes
	IMUL3Q $24, CX, CX       // k slice headers, in bytes
	XORQ R10, R10            // byte offset of the block in dst

block32:
	MOVQ    R8, R11
	SUBQ    R10, R11
	CMPQ    R11, $256
	JLT     block4
	VMOVUPD 0(DI)(R10*1), Y0
	VMOVUPD 32(DI)(R10*1), Y1
	VMOVUPD 64(DI)(R10*1), Y2
	VMOVUPD 96(DI)(R10*1), Y3
	VMOVUPD 128(DI)(R10*1), Y4
	VMOVUPD 160(DI)(R10*1), Y5
	VMOVUPD 192(DI)(R10*1), Y6
	VMOVUPD 224(DI)(R10*1), Y7
	LEAQ    (R9)(R10*1), R12 // byte offset in each x
	XORQ    R13, R13         // header offset
	MOVQ    SI, R14          // alpha pointer

terms32:
	CMPQ         R13, CX
	JGE          store32
	MOVQ         (DX)(R13*1), R15
	ADDQ         R12, R15
	VBROADCASTSD (R14), Y8
	VMULPD       0(R15), Y8, Y9
	VMULPD       32(R15), Y8, Y10
	VMULPD       64(R15), Y8, Y11
	VMULPD       96(R15), Y8, Y12
	VADDPD       Y9, Y0, Y0
	VADDPD       Y10, Y1, Y1
	VADDPD       Y11, Y2, Y2
	VADDPD       Y12, Y3, Y3
	VMULPD       128(R15), Y8, Y9
	VMULPD       160(R15), Y8, Y10
	VMULPD       192(R15), Y8, Y11
	VMULPD       224(R15), Y8, Y12
	VADDPD       Y9, Y4, Y4
	VADDPD       Y10, Y5, Y5
	VADDPD       Y11, Y6, Y6
	VADDPD       Y12, Y7, Y7
	ADDQ         $24, R13
	ADDQ         $8, R14
	JMP          terms32

store32:
	VMOVUPD Y0, 0(DI)(R10*1)
	VMOVUPD Y1, 32(DI)(R10*1)
	VMOVUPD Y2, 64(DI)(R10*1)
	VMOVUPD Y3, 96(DI)(R10*1)
	VMOVUPD Y4, 128(DI)(R10*1)
	VMOVUPD Y5, 160(DI)(R10*1)
	VMOVUPD Y6, 192(DI)(R10*1)
	VMOVUPD Y7, 224(DI)(R10*1)
	ADDQ    $256, R10
	JMP     block32

block4:
	CMPQ    R10, R8
	JGE     doneaxpy
	VMOVUPD (DI)(R10*1), Y0
	LEAQ    (R9)(R10*1), R12
	XORQ    R13, R13
	MOVQ    SI, R14

terms4:
	CMPQ         R13, CX
	JGE          store4
	MOVQ         (DX)(R13*1), R15
	VBROADCASTSD (R14), Y8
	VMULPD       (R15)(R12*1), Y8, Y9
	VADDPD       Y9, Y0, Y0
	ADDQ         $24, R13
	ADDQ         $8, R14
	JMP          terms4

store4:
	VMOVUPD Y0, (DI)(R10*1)
	ADDQ    $32, R10
	JMP     block4

doneaxpy:
	VZEROUPPER
	RET

// SGDKERNEL(name, op, v) is dst[i] -= lr*(g[i] op v) over the first n
// elements (n a multiple of 4): op is VDIVPD (g / d) or VMULPD (g * r,
// the same bits when r = 1/d exactly).
#define SGDKERNEL(name, op, v) \
TEXT name(SB), NOSPLIT, $0-40; \
	MOVQ         dst+0(FP), DI; \
	MOVQ         n+8(FP), R8; \
	MOVSD        lr+16(FP), X14; \
	VBROADCASTSD X14, Y14; \
	MOVQ         grad+24(FP), SI; \
	MOVSD        v+32(FP), X15; \
	VBROADCASTSD X15, Y15; \
	SHLQ         $3, R8; \
	XORQ         R10, R10; \
loop:; \
	CMPQ    R10, R8; \
	JGE     done; \
	VMOVUPD (SI)(R10*1), Y0; \
	op      Y15, Y0, Y0; \
	VMULPD  Y0, Y14, Y0; \
	VMOVUPD (DI)(R10*1), Y1; \
	VSUBPD  Y0, Y1, Y1; \
	VMOVUPD Y1, (DI)(R10*1); \
	ADDQ    $32, R10; \
	JMP     loop; \
done:; \
	VZEROUPPER; \
	RET

// func subScaledQuotientAVX2(dst *float64, n int, lr float64, grad *float64, d float64)
SGDKERNEL(·subScaledQuotientAVX2, VDIVPD, d)

// func subScaledProductAVX2(dst *float64, n int, lr float64, grad *float64, r float64)
SGDKERNEL(·subScaledProductAVX2, VMULPD, r)
