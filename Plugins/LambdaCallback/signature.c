/* Parses LambdaCallback signatures: LIB:SYMBOL(TYPE NAME, ...) [-> TYPE]. */
#include "signature.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *skip_spaces(const char *p) {
    while (is_space(*p)) p++;
    return p;
}

/* The 1-based column of `at` in `text`, counting UTF-8 characters. */
static size_t column_of(const char *text, const char *at) {
    size_t column = 1;
    for (const char *p = text; p < at; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80) column++;
    }
    return column;
}

__attribute__((format(printf, 5, 6)))
static int fail(char *error, size_t error_size, const char *text, const char *at,
                const char *format, ...) {
    if (!error || error_size == 0) return -1;
    int n = snprintf(error, error_size, "column %zu: ", column_of(text, at));
    if (n >= 0 && (size_t)n < error_size) {
        va_list args;
        va_start(args, format);
        vsnprintf(error + n, error_size - (size_t)n, format, args);
        va_end(args);
    }
    return -1;
}

static char *copy_range(const char *start, const char *end) {
    size_t length = (size_t)(end - start);
    char *copy = malloc(length + 1);
    if (!copy) return NULL;
    memcpy(copy, start, length);
    copy[length] = '\0';
    return copy;
}

/* The type spelled by [start, end), or -1. */
static int type_named(const char *start, const char *end) {
    static const struct { const char *name; lambda_type_t type; } types[] = {
        {"i32", LAMBDA_I32}, {"i64", LAMBDA_I64}, {"f32", LAMBDA_F32},
        {"f64", LAMBDA_F64}, {"void", LAMBDA_VOID},
    };
    size_t length = (size_t)(end - start);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strlen(types[i].name) == length && memcmp(types[i].name, start, length) == 0) {
            return (int)types[i].type;
        }
    }
    return -1;
}

/* The end of the word (letters, digits, '_') at p. */
static const char *word_end(const char *p) {
    while (is_letter(*p) || is_digit(*p)) p++;
    return p;
}

static int is_name_char(char c) {
    return c != '\0' && !is_space(c) && c != ',' && c != '(' && c != ')';
}

void lambda_signature_free(lambda_signature_t *sig) {
    if (!sig) return;
    free(sig->library);
    free(sig->symbol);
    for (size_t i = 0; i < sig->arg_count; i++) free(sig->args[i].name);
    memset(sig, 0, sizeof *sig);
}

#define TYPES "i32, i64, f32 or f64"

/* Frees what the parse allocated so far and reports `format` at `at`. */
#define FAIL(at, ...)                                              \
    do {                                                           \
        lambda_signature_free(&sig);                               \
        return fail(error, error_size, text, at, __VA_ARGS__);    \
    } while (0)

int lambda_signature_parse(const char *text, int batch_allowed, lambda_signature_t *out,
                           char *error, size_t error_size) {
    memset(out, 0, sizeof *out);
    lambda_signature_t sig;
    memset(&sig, 0, sizeof sig);
    const char *start = skip_spaces(text);
    if (*start == '\0') {
        FAIL(start, "empty signature; the form is LIB:SYMBOL(TYPE NAME, ...) -> TYPE");
    }

    /* LIB:SYMBOL( */
    const char *open = strchr(start, '(');
    if (!open) {
        FAIL(start + strlen(start), "expected '(': the form is LIB:SYMBOL(TYPE NAME, ...) -> TYPE");
    }
    const char *colon = NULL;
    for (const char *p = start; p < open; p++) {
        if (*p == ':') colon = p;
    }
    if (!colon) {
        FAIL(start, "expected LIB:SYMBOL before '(', e.g. libmine.so:report(i32 epoch)");
    }
    const char *library_end = colon;
    while (library_end > start && is_space(library_end[-1])) library_end--;
    if (library_end == start) {
        FAIL(colon, "expected a library path before ':'");
    }
    const char *symbol = skip_spaces(colon + 1);
    const char *symbol_end = open;
    while (symbol_end > symbol && is_space(symbol_end[-1])) symbol_end--;
    if (symbol == symbol_end) {
        FAIL(symbol, "expected a symbol name between ':' and '('");
    }
    for (const char *p = symbol; p < symbol_end; p++) {
        if (!is_letter(*p) && !(is_digit(*p) && p > symbol)) {
            FAIL(p, "a symbol name holds letters, digits and '_' and does not start with a digit");
        }
    }

    /* Arguments. */
    const char *p = skip_spaces(open + 1);
    const char *after_void = skip_spaces(word_end(p));
    if (*p == ')') {
        p++;
    } else if (word_end(p) - p == 4 && memcmp(p, "void", 4) == 0 && *after_void == ')') {
        p = after_void + 1;
    } else {
        for (;;) {
            const char *type_start = p;
            const char *type_end = word_end(p);
            if (type_end == type_start) {
                FAIL(p, "%s", *p ? "expected an argument type (" TYPES ")"
                                : "unexpected end: expected an argument type (" TYPES ") or ')'");
            }
            int type = type_named(type_start, type_end);
            if (type < 0) {
                FAIL(type_start, "unknown type '%.*s' (expected " TYPES ")",
                     (int)(type_end - type_start), type_start);
            }
            if (type == LAMBDA_VOID) {
                FAIL(type_start, "void is no argument type (expected " TYPES "); '()' takes no arguments");
            }
            p = type_end;
            if (!is_space(*p)) {
                FAIL(p, "expected a space, then the argument's name (epoch, batch or a log name)");
            }
            p = skip_spaces(p);
            const char *name = p;
            while (is_name_char(*p)) p++;
            if (p == name) {
                FAIL(p, "expected the argument's name (epoch, batch or a log name such as val_loss)");
            }
            if (sig.arg_count == LAMBDA_MAX_ARGS) {
                FAIL(type_start, "too many arguments (at most %d)",
                            LAMBDA_MAX_ARGS);
            }
            size_t name_length = (size_t)(p - name);
            lambda_source_t source = LAMBDA_FROM_LOG;
            if (name_length == 5 && memcmp(name, "epoch", 5) == 0) source = LAMBDA_FROM_EPOCH;
            if (name_length == 5 && memcmp(name, "batch", 5) == 0) {
                if (!batch_allowed) {
                    FAIL(name, "'batch' is given only to batch hooks (on_*_batch_begin/end)");
                }
                source = LAMBDA_FROM_BATCH;
            }
            lambda_arg_t *arg = &sig.args[sig.arg_count];
            arg->type = (lambda_type_t)type;
            arg->source = source;
            arg->name = copy_range(name, p);
            if (!arg->name) {
                FAIL(name, "out of memory");
            }
            sig.arg_count++;
            p = skip_spaces(p);
            if (*p == ',') {
                p = skip_spaces(p + 1);
                continue;
            }
            if (*p == ')') {
                p++;
                break;
            }
            FAIL(p, "%s", *p ? "expected ',' or ')' after the argument"
                            : "unexpected end: expected ',' or ')'");
        }
    }

    /* [-> TYPE] */
    p = skip_spaces(p);
    sig.result = LAMBDA_VOID;
    if (*p != '\0') {
        if (p[0] != '-' || p[1] != '>') {
            FAIL(p, "expected '-> TYPE' or the end after ')'");
        }
        p = skip_spaces(p + 2);
        const char *type_end = word_end(p);
        int type = type_named(p, type_end);
        if (type < 0) {
            if (type_end == p) {
                FAIL(p, "expected a return type (" TYPES " or void)");
            }
            FAIL(p, "unknown type '%.*s' (expected " TYPES " or void)", (int)(type_end - p), p);
        }
        sig.result = (lambda_type_t)type;
        p = skip_spaces(type_end);
        if (*p != '\0') {
            FAIL(p, "unexpected text after the return type");
        }
    }

    sig.library = copy_range(start, library_end);
    sig.symbol = copy_range(symbol, symbol_end);
    if (!sig.library || !sig.symbol) {
        FAIL(start, "out of memory");
    }
    *out = sig;
    return 0;
}
