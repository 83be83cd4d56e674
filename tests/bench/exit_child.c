// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-exit: a program that only exits, for iosup-lat-proc -x. Without
 * libc, so that exec'ing it costs the page tables of a new process and
 * next to nothing else: under emulation a static glibc program spends
 * most of a fork+exec faulting in its own startup code, and the soak
 * wants the tables, not the faults.
 */
void _start(void);

void _start(void)
{
	/* exit_group(0) */
	__asm__ volatile("syscall" : : "a"(231), "D"(0) : "rcx", "r11", "memory");
	__builtin_unreachable();
}
