# bench-ratios.awk: reads BenchmarkFPVM_PERF output and prints, per program,
# fpvm's ratio to each Cannon configuration: step-loop steps/s, whole-command
# wall time (ns/op) and peak live heap, each the median over the -count runs.
# Usage: awk -f scripts/bench-ratios.awk bench-fpvm.txt
/^BenchmarkFPVM_PERF\// {
	split($1, parts, "/")
	prog = parts[2]; sub(/^program=/, "", prog)
	vm = parts[3]; sub(/^vm=/, "", vm); sub(/-[0-9]+$/, "", vm)
	key = prog SUBSEP vm
	progs[prog] = 1
	k = ++n[key]
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") wall[key, k] = $i
		if ($(i+1) == "steps/s") sps[key, k] = $i
		if ($(i+1) == "peak-heap-MiB") heap[key, k] = $i
	}
}

# median returns the median of a[key, 1..m] (portable awk: no asort).
function median(a, key, m,    i, j, t, v) {
	for (i = 1; i <= m; i++) v[i] = a[key, i] + 0
	for (i = 2; i <= m; i++) {
		t = v[i]
		for (j = i - 1; j >= 1 && v[j] > t; j--) v[j+1] = v[j]
		v[j+1] = t
	}
	return (m % 2) ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2
}

END {
	for (p in progs) {
		f = p SUBSEP "fpvm"
		if (!n[f]) continue
		fs = median(sps, f, n[f]); fw = median(wall, f, n[f]); fh = median(heap, f, n[f])
		printf "program=%s (median of %d runs): fpvm %.1fM steps/s, wall %.3fs, peak heap %.1f MiB\n", p, n[f], fs/1e6, fw/1e9, fh
		split("cannon-large cannon", vms, " ")
		for (j = 1; j <= 2; j++) {
			c = p SUBSEP vms[j]
			if (!n[c]) continue
			cs = median(sps, c, n[c]); cw = median(wall, c, n[c]); ch = median(heap, c, n[c])
			printf "  vs %-12s steps/s x%.2f  wall-time x%.2f faster  peak-heap %.2f of %s's (%.1f MiB; %.1fM steps/s, wall %.3fs)\n", vms[j], \
				fs / cs, cw / fw, fh / ch, vms[j], ch, cs/1e6, cw/1e9
		}
	}
}
