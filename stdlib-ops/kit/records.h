/* records — CSV and JSON Lines files as streams of records, for the file
 * transfers: a reader that never stops at a bad line (it says why and goes
 * on, so the line can be rejected) and a writer that writes aside and
 * renames, so a reader never sees half a file. */
#ifndef FLUX_RECORDS_H
#define FLUX_RECORDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "opkit.h"

typedef enum { RECORDS_CSV, RECORDS_JSONL } records_format;

/* The format given (the field `format`, may be NULL) or from the extension of
 * path (.csv, .jsonl, .ndjson, .json). -1 with err. */
int records_format_of(const char *path, const char *given, records_format *out, char *err, size_t errlen);

/* The format of a file transfer's task (its `format` field, else path's
 * extension) and its `delimiter` field checked to be one character. -1
 * after printing why. */
int records_task_format(const opkit_task *t, const char *path, records_format *out);

typedef struct records_reader records_reader;

/* CSV (RFC 4180: quotes, doubled quotes, newlines inside quotes; delim one
 * byte): with header, the first line names the fields. NULL with err. */
records_reader *records_open(const char *path, records_format f, bool header, char delim, char *err,
                             size_t errlen);
/* The next record: 1 with *rec (new reference) — a JSON object; CSV fields as
 * strings by header name (without header: "1", "2", ...); a JSON Lines line
 * parsed (any JSON value). 0 at the end. -1 for a malformed record (why says
 * what; a CSV row with another number of fields than the header, JSON that
 * does not parse; a CSV quote never closed): the reader has moved past it.
 * -2 when the file cannot be read further (why says so): stop. Blank lines
 * are no records. raw/rawlen: the record's bytes as in the file (without
 * its line end), valid until the next call. */
int records_next(records_reader *r, json_t **rec, const char **raw, size_t *rawlen, char *why, size_t whylen);
/* line number where the last record started (1-based) */
int64_t records_line(const records_reader *r);
/* bytes read so far */
int64_t records_bytes(const records_reader *r);
/* CSV header names (NULL for JSON Lines or no header) */
const char *const *records_header(const records_reader *r, size_t *n);
/* Whether the CSV header names field: true, or false with a message
 * "the header has no field 'F' (WHAT); did you mean 'G'?" in msg (what says
 * what the field is for). Without a header (or for JSON Lines) every field
 * counts as named. */
bool records_has_field(const records_reader *r, const char *field, const char *what, char *msg, size_t msglen);
void records_close(records_reader *r);

typedef struct records_writer records_writer;

/* Writes to PATH.tmp.PID beside path (parent directories created); CSV
 * writes a header line of cols when header. NULL with err. */
records_writer *records_create(const char *path, records_format f, bool header, char delim,
                               const char *const *cols, size_t ncols, char *err, size_t errlen);
/* One record: vals[i] the value of cols[i] (NULL is SQL NULL: empty CSV
 * field, JSON null). JSON Lines writes an object {col: value}. -1 with err. */
int records_write(records_writer *w, json_t *const *vals, char *err, size_t errlen);
/* Flushes, fsyncs, renames over path; records, size and sha256 (hex) of the
 * file for lineage. -1 with err (the temp file removed). Frees w. */
int records_commit(records_writer *w, int64_t *records, int64_t *size, char sha256[65], char *err,
                   size_t errlen);
/* Drops the temp file. Frees w. */
void records_abort(records_writer *w);

#endif
