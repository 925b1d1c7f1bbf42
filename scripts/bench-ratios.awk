# bench-ratios.awk: reads BenchmarkFPVM_PERF output and prints, per program,
# fpvm's ratio to each Cannon configuration: step-loop steps/s, whole-command
# wall time (ns/op) and peak live heap (means over the -count runs).
# Usage: awk -f scripts/bench-ratios.awk bench-fpvm.txt
/^BenchmarkFPVM_PERF\// {
	split($1, parts, "/")
	prog = parts[2]; sub(/^program=/, "", prog)
	vm = parts[3]; sub(/^vm=/, "", vm); sub(/-[0-9]+$/, "", vm)
	key = prog SUBSEP vm
	progs[prog] = 1
	n[key]++
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") wall[key] += $i
		if ($(i+1) == "steps/s") sps[key] += $i
		if ($(i+1) == "peak-heap-MiB") heap[key] += $i
	}
}
END {
	for (p in progs) {
		f = p SUBSEP "fpvm"
		if (!n[f]) continue
		printf "program=%s: fpvm %.1fM steps/s, wall %.3fs, peak heap %.1f MiB\n", p, sps[f]/n[f]/1e6, wall[f]/n[f]/1e9, heap[f]/n[f]
		split("cannon-large cannon", vms, " ")
		for (j = 1; j <= 2; j++) {
			c = p SUBSEP vms[j]
			if (!n[c]) continue
			printf "  vs %-12s steps/s x%.2f  wall-time x%.2f faster  peak-heap %.2f of %s's (%.1f MiB)\n", vms[j], \
				(sps[f]/n[f]) / (sps[c]/n[c]), (wall[c]/n[c]) / (wall[f]/n[f]), (heap[f]/n[f]) / (heap[c]/n[c]), vms[j], heap[c]/n[c]
		}
	}
}
