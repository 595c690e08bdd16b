/* SPDX-License-Identifier: MIT */
/* The project version: the banner and SBI's implementation version. */
#ifndef BULKHEAD_VERSION_H
#define BULKHEAD_VERSION_H

#define BH_VERSION	1UL

#endif
