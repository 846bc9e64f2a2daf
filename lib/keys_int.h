/*
 * keys_int: what keys.c and keyfile.c share; not for other modules.
 */
#ifndef POSTSEAL_KEYS_INT_H
#define POSTSEAL_KEYS_INT_H

#include "keys.h"

/*
 * keys_load_file() for the key of (domain, selector): both may be NULL and
 * only name the key in the fix for a weak RSA key.  Same contract.
 */
int keys_load_key(const char *path, const char *domain, const char *selector,
    const struct safepath_trust *trust, EVP_PKEY **pkey_r, int *alg_r,
    int *bits_r, int *unsafe_r, char *why, size_t whylen);

#endif
