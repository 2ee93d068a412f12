/*
 * Control-register bits, named as in the Intel SDM vol. 3A 2.5 "Control
 * Registers" (EFER's are in kernel/msr.h).  One list for Kestrel's own use
 * and for the guest's rules (core/cr_rules.c).
 */
#ifndef KESTREL_KERNEL_CONTROL_REGS_H
#define KESTREL_KERNEL_CONTROL_REGS_H

#define CR0_PE          (1ull << 0)
#define CR0_MP          (1ull << 1)
#define CR0_EM          (1ull << 2)
#define CR0_TS          (1ull << 3)
#define CR0_ET          (1ull << 4)
#define CR0_NE          (1ull << 5)
#define CR0_WP          (1ull << 16)
#define CR0_AM          (1ull << 18)
#define CR0_NW          (1ull << 29)
#define CR0_CD          (1ull << 30)
#define CR0_PG          (1ull << 31)

#define CR4_VME         (1ull << 0)
#define CR4_PVI         (1ull << 1)
#define CR4_TSD         (1ull << 2)
#define CR4_DE          (1ull << 3)
#define CR4_PSE         (1ull << 4)
#define CR4_PAE         (1ull << 5)
#define CR4_MCE         (1ull << 6)
#define CR4_PGE         (1ull << 7)
#define CR4_PCE         (1ull << 8)
#define CR4_OSFXSR      (1ull << 9)
#define CR4_OSXMMEXCPT  (1ull << 10)
#define CR4_UMIP        (1ull << 11)
#define CR4_LA57        (1ull << 12)
#define CR4_VMXE        (1ull << 13)
#define CR4_SMXE        (1ull << 14)
#define CR4_FSGSBASE    (1ull << 16)
#define CR4_PCIDE       (1ull << 17)
#define CR4_OSXSAVE     (1ull << 18)
#define CR4_KL          (1ull << 19)
#define CR4_SMEP        (1ull << 20)
#define CR4_SMAP        (1ull << 21)
#define CR4_PKE         (1ull << 22)
#define CR4_CET         (1ull << 23)
#define CR4_PKS         (1ull << 24)
#define CR4_UINTR       (1ull << 25)

/* Debug registers (SDM vol. 3B 18.2). */
#define DR6_B0_B3       0xfull              /* breakpoint conditions met */
#define DR6_BD          (1ull << 13)        /* debug-register access detected */
#define DR6_BS          (1ull << 14)        /* single step */
#define DR6_RTM         (1ull << 16)        /* cleared (active low) for an RTM #DB */
#define DR6_FIXED_ONES  0xffff0ff0ull       /* reads as 1 (bit 16 included, bit 12 reserved 0) */
#define DR7_GD          (1ull << 13)        /* general detect, cleared on #DB delivery */

/* State-component bits of XCR0 (SDM vol. 1 13.1). */
#define XCR0_X87          (1ull << 0)
#define XCR0_SSE          (1ull << 1)
#define XCR0_AVX          (1ull << 2)
#define XCR0_BNDREGS      (1ull << 3)     /* MPX */
#define XCR0_BNDCSR       (1ull << 4)     /* MPX */
#define XCR0_OPMASK       (1ull << 5)     /* AVX-512 */
#define XCR0_ZMM_HI256    (1ull << 6)     /* AVX-512 */
#define XCR0_HI16_ZMM     (1ull << 7)     /* AVX-512 */
#define XCR0_PKRU         (1ull << 9)
#define XCR0_XTILECFG     (1ull << 17)    /* AMX */
#define XCR0_XTILEDATA    (1ull << 18)    /* AMX */

#define XCR0_MPX          (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512       (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_AMX          (XCR0_XTILECFG | XCR0_XTILEDATA)

#endif
