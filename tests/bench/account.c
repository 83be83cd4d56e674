// SPDX-License-Identifier: GPL-2.0-only
/*
 * iosup-account: the cost account of process churn, from counts.
 *
 *   iosup-account --model MODEL.tsv [--csv OUT.csv] COUNTS
 *
 * COUNTS has one line per measured phase, as tests/vm/test-account.sh
 * writes them: "CONFIG-WORKLOAD procs=N key=value...", the values summed
 * over the phase (Xen's perf counters, dom0's IOMMU flush counters, QEMU's
 * trace). MODEL (tests/bench/cost-model.tsv) names each kind of operation,
 * the counters that count it, its cost in cycles on a real host as a range,
 * and the most an iosup row may count of it.
 *
 * Prints, per workload, each kind's count per process in every
 * configuration and the modeled cycles per process; then, against stock
 * under dom0-iommu=strict, the saving per 1,000 processes as a range taken
 * at the weights' extremes (each kind's weight chosen against the saving
 * for the low end, for it for the high end), and for the pooled rows the
 * weight of each kind they count more of at which they would stop saving.
 * Writes the figures as CSV.
 *
 * A kind's weight has a central value too, the geometric mean of its
 * range's ends, for one figure to quote.
 *
 * Exit status 1 when a count is missing or not a number, or when an iosup
 * row (nopool, pool, iosupd) counts more of a kind than the model's bound
 * for it: checks on counts, which TCG does not distort. 2 for bad
 * arguments or a bad model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KINDS 32
#define MAX_KEYS 8
#define MAX_ROWS 64
#define MAX_VALUES 512
#define NAME_LEN 64

/*
 * Above a bound relative to stock, the noise of counting a phase: what
 * dom0 does beside the storm (timers, the readings themselves) lands in
 * the counters too, more in a longer phase. 4% and a tenth a process,
 * over twice the most two boots of the same code differed by in the rig
 * (1.6%: mmuext ops, 23.64 against 23.26 a fork+exit).
 */
#define RELATIVE_SLACK_REL 0.04
#define RELATIVE_SLACK_ABS 0.1

static const char *const configs[] = { "strict", "relaxed", "nopool", "pool", "iosupd" };
#define NR_CONFIGS (sizeof(configs) / sizeof(configs[0]))
static const char *const workloads[] = { "exit", "exec", "sh" };
static const char *const workload_names[] = { "fork+exit", "fork+execve", "fork+/bin/sh -c" };
#define NR_WORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

enum bound { BOUND_NONE, BOUND_RELATIVE, BOUND_NUMBER };

struct kind {
	char name[NAME_LEN];
	char keys[MAX_KEYS][NAME_LEN];
	int nr_keys;
	double lo, hi;
	enum bound bound;
	double bound_value;
};

struct row {
	int config, workload;
	unsigned long procs;
	int nr;
	char key[MAX_VALUES][NAME_LEN];
	unsigned long long value[MAX_VALUES];
	/* Per kind, per process. */
	double per_proc[MAX_KINDS];
};

static struct kind kinds[MAX_KINDS];
static int nr_kinds;
static struct row rows[MAX_ROWS];
static int nr_rows;

static int index_of(const char *const *list, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncmp(list[i], s, len))
			return (int)i;
	return -1;
}

static bool parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && *out >= 0;
}

static bool parse_ull(const char *s, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

/* One model line: kind, keys, lo, hi, bound, source. */
static int model_line(char *line, const char *path, unsigned long lineno)
{
	char *field[6], *save = NULL, *k, *ksave = NULL;
	struct kind *kd;
	int n = 0;

	for (char *f = strtok_r(line, "\t", &save); f && n < 6; f = strtok_r(NULL, "\t", &save))
		field[n++] = f;
	if (n != 6) {
		fprintf(stderr, "iosup-account: %s:%lu: %d fields, expected 6\n", path, lineno, n);
		return -1;
	}
	if (nr_kinds == MAX_KINDS) {
		fprintf(stderr, "iosup-account: %s:%lu: more than %d kinds\n", path, lineno, MAX_KINDS);
		return -1;
	}
	kd = &kinds[nr_kinds];
	memset(kd, 0, sizeof(*kd));
	if (strlen(field[0]) >= NAME_LEN) {
		fprintf(stderr, "iosup-account: %s:%lu: kind name too long\n", path, lineno);
		return -1;
	}
	strcpy(kd->name, field[0]);
	for (k = strtok_r(field[1], "+", &ksave); k; k = strtok_r(NULL, "+", &ksave)) {
		if (kd->nr_keys == MAX_KEYS || strlen(k) >= NAME_LEN) {
			fprintf(stderr, "iosup-account: %s:%lu: too many or too long keys\n",
				path, lineno);
			return -1;
		}
		strcpy(kd->keys[kd->nr_keys++], k);
	}
	if (!kd->nr_keys || !parse_double(field[2], &kd->lo) ||
	    !parse_double(field[3], &kd->hi) || kd->lo > kd->hi) {
		fprintf(stderr, "iosup-account: %s:%lu: keys, lo or hi is not valid\n", path, lineno);
		return -1;
	}
	if (!strcmp(field[4], "-"))
		kd->bound = BOUND_NONE;
	else if (field[4][0] == 'x' && parse_double(field[4] + 1, &kd->bound_value))
		kd->bound = BOUND_RELATIVE;
	else if (parse_double(field[4], &kd->bound_value))
		kd->bound = BOUND_NUMBER;
	else {
		fprintf(stderr, "iosup-account: %s:%lu: bound '%s' is not -, xFACTOR or a number\n",
			path, lineno, field[4]);
		return -1;
	}
	nr_kinds++;
	return 0;
}

/*
 * Calls @fn with each line of @path, its newline cut, and the line's
 * number, until one returns non-zero; that, or -1 if @path cannot be read.
 */
static int for_each_line(const char *path,
			 int (*fn)(char *line, size_t len, const char *path,
				   unsigned long lineno, void *ctx),
			 void *ctx)
{
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int r = 0;

	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "iosup-account: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (!r && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		r = fn(line, (size_t)len, path, lineno, ctx);
	}
	free(line);
	fclose(f);
	return r;
}

/* A line of the model: a comment, the header (first), or a kind. */
static int model_file_line(char *line, size_t len, const char *path, unsigned long lineno,
			   void *ctx)
{
	bool *header = ctx;

	if (!len || line[0] == '#')
		return 0;
	if (!*header) {
		*header = true;
		if (strcmp(line, "kind\tkeys\tlo\thi\tbound\tsource")) {
			fprintf(stderr, "iosup-account: %s:%lu: not the model's header\n", path,
				lineno);
			return -1;
		}
		return 0;
	}
	return model_line(line, path, lineno);
}

static int load_model(const char *path)
{
	bool header = false;
	int r = for_each_line(path, model_file_line, &header);

	if (!r && !nr_kinds) {
		fprintf(stderr, "iosup-account: %s: no kinds\n", path);
		r = -1;
	}
	return r;
}

static int counts_line(char *line, const char *path, unsigned long lineno)
{
	char *save = NULL, *tok, *dash;
	struct row *rw;

	if (nr_rows == MAX_ROWS) {
		fprintf(stderr, "iosup-account: %s:%lu: more than %d rows\n", path, lineno, MAX_ROWS);
		return -1;
	}
	rw = &rows[nr_rows];
	memset(rw, 0, sizeof(*rw));
	tok = strtok_r(line, " ", &save);
	dash = tok ? strchr(tok, '-') : NULL;
	if (!dash ||
	    (rw->config = index_of(configs, NR_CONFIGS, tok, (size_t)(dash - tok))) < 0 ||
	    (rw->workload = index_of(workloads, NR_WORKLOADS, dash + 1, strlen(dash + 1))) < 0) {
		fprintf(stderr, "iosup-account: %s:%lu: '%s' is not CONFIG-WORKLOAD\n", path,
			lineno, tok ? tok : "");
		return -1;
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || (size_t)(eq - tok) >= NAME_LEN || rw->nr == MAX_VALUES ||
		    !parse_ull(eq + 1, &rw->value[rw->nr])) {
			fprintf(stderr, "iosup-account: %s:%lu: '%s' is not key=count\n", path,
				lineno, tok);
			return -1;
		}
		*eq = '\0';
		if (!strcmp(tok, "procs")) {
			rw->procs = (unsigned long)rw->value[rw->nr];
			continue;
		}
		strcpy(rw->key[rw->nr++], tok);
	}
	if (!rw->procs) {
		fprintf(stderr, "iosup-account: %s:%lu: no procs=N\n", path, lineno);
		return -1;
	}
	for (int i = 0; i < nr_rows; i++)
		if (rows[i].config == rw->config && rows[i].workload == rw->workload) {
			fprintf(stderr, "iosup-account: %s:%lu: %s-%s twice\n", path, lineno,
				configs[rw->config], workloads[rw->workload]);
			return -1;
		}
	nr_rows++;
	return 0;
}

static int counts_file_line(char *line, size_t len, const char *path, unsigned long lineno,
			    void *ctx)
{
	(void)ctx;
	return len ? counts_line(line, path, lineno) : 0;
}

static int load_counts(const char *path)
{
	return for_each_line(path, counts_file_line, NULL);
}

/* Whether @key is @pattern, or an element of it when it ends in "[*]". */
static bool key_matches(const char *pattern, const char *key)
{
	size_t n = strlen(pattern);

	if (n < 3 || strcmp(pattern + n - 3, "[*]"))
		return !strcmp(pattern, key);
	/* "name[" then anything, then "]". */
	return !strncmp(pattern, key, n - 2) && strlen(key) > n - 1 &&
	       key[strlen(key) - 1] == ']';
}

/* Each kind's count per process; a key that matches nothing is a failure. */
static int tally(struct row *rw)
{
	for (int k = 0; k < nr_kinds; k++) {
		unsigned long long sum = 0;

		for (int j = 0; j < kinds[k].nr_keys; j++) {
			bool found = false;

			for (int i = 0; i < rw->nr; i++)
				if (key_matches(kinds[k].keys[j], rw->key[i])) {
					sum += rw->value[i];
					found = true;
				}
			if (!found) {
				fprintf(stderr, "iosup-account: %s-%s: no count for %s (%s)\n",
					configs[rw->config], workloads[rw->workload],
					kinds[k].keys[j], kinds[k].name);
				return -1;
			}
		}
		rw->per_proc[k] = (double)sum / (double)rw->procs;
	}
	return 0;
}

static struct row *find(int config, int workload)
{
	for (int i = 0; i < nr_rows; i++)
		if (rows[i].config == config && rows[i].workload == workload)
			return &rows[i];
	return NULL;
}

/* A kind's central weight: the geometric mean of its range's ends. */
static double mid_weight(const struct kind *kd)
{
	return sqrt(kd->lo * kd->hi);
}

static void cycles(const struct row *rw, double *lo, double *mid, double *hi)
{
	*lo = *mid = *hi = 0;
	for (int k = 0; k < nr_kinds; k++) {
		*lo += rw->per_proc[k] * kinds[k].lo;
		*mid += rw->per_proc[k] * mid_weight(&kinds[k]);
		*hi += rw->per_proc[k] * kinds[k].hi;
	}
}

/*
 * What @rw saves against @base per process, at the weights' extremes: for
 * the low end each kind whose count went down weighs its least and each
 * that went up its most, and the other way round for the high end.
 */
static void saving(const struct row *base, const struct row *rw, double *lo, double *mid,
		   double *hi)
{
	*lo = *mid = *hi = 0;
	for (int k = 0; k < nr_kinds; k++) {
		double d = base->per_proc[k] - rw->per_proc[k];

		*lo += d * (d > 0 ? kinds[k].lo : kinds[k].hi);
		*mid += d * mid_weight(&kinds[k]);
		*hi += d * (d > 0 ? kinds[k].hi : kinds[k].lo);
	}
}

static bool is_pooled(int config)
{
	return !strcmp(configs[config], "pool") || !strcmp(configs[config], "iosupd");
}

static bool is_iosup(int config)
{
	return !strcmp(configs[config], "nopool") || is_pooled(config);
}

static void print_account(void)
{
	for (size_t w = 0; w < NR_WORKLOADS; w++) {
		const struct row *col[NR_CONFIGS];
		double lo, mid, hi;
		bool any = false;

		for (size_t c = 0; c < NR_CONFIGS; c++) {
			col[c] = find((int)c, (int)w);
			any |= col[c] != NULL;
		}
		if (!any)
			continue;
		printf("\n%s, operations per process\n%-20s", workload_names[w], "");
		for (size_t c = 0; c < NR_CONFIGS; c++)
			if (col[c])
				printf(" %16s", configs[c]);
		printf("\n");
		for (int k = 0; k < nr_kinds; k++) {
			printf("%-20s", kinds[k].name);
			for (size_t c = 0; c < NR_CONFIGS; c++)
				if (col[c])
					printf(" %16.2f", col[c]->per_proc[k]);
			printf("\n");
		}
		printf("%-20s", "kcycles: central");
		for (size_t c = 0; c < NR_CONFIGS; c++)
			if (col[c]) {
				cycles(col[c], &lo, &mid, &hi);
				printf(" %16.1f", mid / 1e3);
			}
		printf("\n%-20s", "  range");
		for (size_t c = 0; c < NR_CONFIGS; c++) {
			char range[40];

			if (!col[c])
				continue;
			cycles(col[c], &lo, &mid, &hi);
			snprintf(range, sizeof(range), "%.0f-%.0f", lo / 1e3, hi / 1e3);
			printf(" %16s", range);
		}
		printf("\n");
	}
}

/*
 * The saving against strict per 1,000 processes, in millions of cycles:
 * central, and the range at the weights' extremes. Says which pooled rows
 * lose at some corner of the weights; returns how many do.
 */
static int print_savings(void)
{
	int losing = 0;

	printf("\nsaving against stock under dom0-iommu=strict, per 1,000 processes, Mcycles\n");
	printf("%-17s %-8s %9s %21s\n", "workload", "config", "central", "range");
	for (size_t w = 0; w < NR_WORKLOADS; w++) {
		const struct row *base = find(0, (int)w);

		for (size_t c = 1; c < NR_CONFIGS && base; c++) {
			const struct row *rw = find((int)c, (int)w);
			double lo, mid, hi;

			if (!rw)
				continue;
			saving(base, rw, &lo, &mid, &hi);
			printf("%-17s %-8s %9.1f %9.1f to %9.1f%s\n", workload_names[w],
			       configs[c], mid / 1e3, lo / 1e3, hi / 1e3,
			       is_pooled((int)c) && lo <= 0 ? "  (loses at the low end)" : "");
			losing += is_pooled((int)c) && lo <= 0;
		}
	}
	return losing;
}

/*
 * Where a pooled row's margin lies: for each kind it counts more of than
 * stock, the weight at which its central saving would be 0, every other
 * weight central. A kind whose break-even is near its range's high end is
 * where the margin is thinnest; one below its range's low end loses the
 * row even at central weights ("never" when no weight of it would do).
 */
static void print_break_even(void)
{
	printf("\nbreak-even weights of the pooled rows, each with the other weights central, cycles\n");
	printf("%-17s %-8s %-20s %10s   %s\n", "workload", "config", "kind", "break-even",
	       "model");
	for (size_t w = 0; w < NR_WORKLOADS; w++) {
		const struct row *base = find(0, (int)w);

		for (size_t c = 1; c < NR_CONFIGS && base; c++) {
			const struct row *rw = find((int)c, (int)w);
			double lo, mid, hi;

			if (!rw || !is_pooled((int)c))
				continue;
			saving(base, rw, &lo, &mid, &hi);
			for (int k = 0; k < nr_kinds; k++) {
				double d = base->per_proc[k] - rw->per_proc[k];
				double rest = mid - d * mid_weight(&kinds[k]);
				char at[24];

				if (d >= 0)
					continue;
				if (rest > 0)
					snprintf(at, sizeof(at), "%.0f", rest / -d);
				else
					snprintf(at, sizeof(at), "never");
				printf("%-17s %-8s %-20s %10s   %.0f-%.0f\n", workload_names[w],
				       configs[c], kinds[k].name, at, kinds[k].lo, kinds[k].hi);
			}
		}
	}
}

/* Every iosup row within its kinds' bounds; says each one that is not. */
static int check_bounds(void)
{
	int bad = 0;

	for (int i = 0; i < nr_rows; i++) {
		const struct row *rw = &rows[i], *base;

		if (!is_iosup(rw->config))
			continue;
		base = find(0, rw->workload);
		for (int k = 0; k < nr_kinds; k++) {
			double max = 0;

			switch (kinds[k].bound) {
			case BOUND_NONE:
				continue;
			case BOUND_RELATIVE:
				if (!base) {
					fprintf(stderr, "iosup-account: no strict-%s row to bound %s by\n",
						workloads[rw->workload], kinds[k].name);
					bad = 1;
					continue;
				}
				max = base->per_proc[k] * kinds[k].bound_value *
				      (1 + RELATIVE_SLACK_REL) + RELATIVE_SLACK_ABS;
				break;
			case BOUND_NUMBER:
				/* An absolute bound is what the pool promises. */
				if (!is_pooled(rw->config))
					continue;
				max = kinds[k].bound_value;
				break;
			}
			if (rw->per_proc[k] > max) {
				printf("FAIL %s-%s: %s %.2f per process, the model allows %.2f\n",
				       configs[rw->config], workloads[rw->workload], kinds[k].name,
				       rw->per_proc[k], max);
				bad = 1;
			}
		}
	}
	return bad;
}

static int write_csv(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		fprintf(stderr, "iosup-account: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "config,workload,procs,kind,per_process,cycles_lo,cycles_hi\n");
	for (int i = 0; i < nr_rows; i++)
		for (int k = 0; k < nr_kinds; k++)
			fprintf(f, "%s,%s,%lu,%s,%.4f,%.0f,%.0f\n", configs[rows[i].config],
				workloads[rows[i].workload], rows[i].procs, kinds[k].name,
				rows[i].per_proc[k], rows[i].per_proc[k] * kinds[k].lo,
				rows[i].per_proc[k] * kinds[k].hi);
	if (fclose(f)) {
		fprintf(stderr, "iosup-account: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: iosup-account --model MODEL.tsv [--csv OUT.csv] COUNTS\n");
}

int main(int argc, char **argv)
{
	const char *model = NULL, *csv = NULL, *counts = NULL;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--model") && i + 1 < argc)
			model = argv[++i];
		else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
			csv = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && !counts)
			counts = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (!model || !counts) {
		usage(stderr);
		return 2;
	}
	if (load_model(model))
		return 2;
	if (load_counts(counts))
		return 1;
	if (!nr_rows) {
		fprintf(stderr, "iosup-account: %s: no rows\n", counts);
		return 1;
	}
	for (int i = 0; i < nr_rows; i++)
		if (tally(&rows[i]))
			return 1;
	print_account();
	if (print_savings())
		printf("\nat the low end of the weights the pool does not win everywhere: see the rows marked\n");
	print_break_even();
	bad |= check_bounds();
	if (csv && write_csv(csv))
		return 1;
	return bad;
}
