package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The cluster recipes in deploy/ are tested by running them: the Slurm job
// array on a real (single-node) Slurm when one answers, and the Kubernetes
// Indexed Job by executing its containers' arguments for every completion
// index with the binary, the volume mounts mapped to directories. Both must
// give merged results identical to one unsharded run.

// TestSlurmArray submits deploy/slurm-array.sh on a tiny sweep with 3
// shards and waits for the array and the merge job. It skips when no Slurm
// controller answers (scripts/slurm-local.sh starts a single-node one, as
// scripts/test.sh does).
func TestSlurmArray(t *testing.T) {
	if testing.Short() {
		t.Skip("submits Slurm jobs")
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("no sbatch on PATH (scripts/slurm-local.sh installs and starts a single-node Slurm)")
	}
	if out, err := exec.Command("sinfo", "-h", "-o", "%a").Output(); err != nil || !strings.Contains(string(out), "up") {
		t.Skipf("no Slurm partition is up (sinfo: %v %q)", err, out)
	}
	bin := buildOscsim(t)
	sw := killSweep(t)
	ref := filepath.Join(t.TempDir(), "ref")
	oscsim(t, bin, "sweep", sw, "-o", ref)

	out := filepath.Join(t.TempDir(), "slurm")
	cmd := exec.Command("bash", "../../deploy/slurm-array.sh", "submit", sw, "3", out)
	cmd.Env = append(os.Environ(), "OSCSIM="+bin,
		"OSCSIM_SBATCH_ARGS=--cpus-per-task=1 --mem=300M --time=00:10:00 --output="+out+"/task-%A_%a.log")
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("submit: %v\n%s", err, msg)
	}
	m := regexp.MustCompile(`array job (\d+) .*merge job (\d+)`).FindStringSubmatch(string(msg))
	if m == nil {
		t.Fatalf("submit printed %q, want the array and merge job ids", msg)
	}
	jobs := m[1] + "," + m[2]
	t.Logf("%s", bytes.TrimSpace(msg))
	deadline := time.Now().Add(5 * time.Minute)
	for {
		q, err := exec.Command("squeue", "-h", "-j", jobs, "-o", "%i %T %r").Output()
		if err != nil {
			t.Fatalf("squeue: %v", err)
		}
		if len(bytes.TrimSpace(q)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", strings.Split(jobs, ",")...).Run()
			t.Fatalf("jobs %s not done after 5 minutes:\n%s", jobs, q)
		}
		time.Sleep(time.Second)
	}
	if _, err := os.Stat(filepath.Join(out, "merged", "summary.csv")); err != nil {
		logs, _ := filepath.Glob(filepath.Join(out, "*.log"))
		var b strings.Builder
		for _, l := range logs {
			s, _ := os.ReadFile(l)
			fmt.Fprintf(&b, "== %s\n%s\n", l, s)
		}
		t.Fatalf("no merged results: %v\n%s", err, b.String())
	}
	sameSweepFiles(t, ref, filepath.Join(out, "merged"))
}

// k8sContainer is the part of a container spec the test executes.
type k8sContainer struct {
	Name string
	Env  []struct {
		Name  string
		Value string
	}
	Args         []string
	VolumeMounts []struct {
		Name      string
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

// k8sDoc is one document of a manifest, with the fields the test reads.
type k8sDoc struct {
	Kind     string
	Metadata struct{ Name string }
	Spec     struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int
		Parallelism    int
		Template       struct {
			Spec struct {
				InitContainers []k8sContainer `yaml:"initContainers"`
				Containers     []k8sContainer
			}
		}
	}
}

func readManifest(t *testing.T, path string) []k8sDoc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []k8sDoc
	dec := yaml.NewDecoder(f)
	for {
		var d k8sDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
}

// expand replaces $(VAR) references as Kubernetes does for args.
func expand(s string, env map[string]string) string {
	return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// TestK8sIndexedJob checks deploy/k8s-indexed-job.yaml and
// k8s-merge-job.yaml against the CLI: the shard count agrees everywhere,
// and running every completion index's container arguments (volume mounts
// mapped to directories, the sweep file swapped for a small one), then the
// merge and plot containers, gives the unsharded run's results.
func TestK8sIndexedJob(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs subprocesses")
	}
	var job k8sDoc
	for _, d := range readManifest(t, "../../deploy/k8s-indexed-job.yaml") {
		if d.Kind == "Job" {
			job = d
		}
	}
	if job.Spec.CompletionMode != "Indexed" || len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("k8s-indexed-job.yaml: want one Indexed Job with one container, got %+v", job.Spec)
	}
	shard := job.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range shard.Env {
		env[e.Name] = e.Value
	}
	shards, err := strconv.Atoi(env["SHARDS"])
	if err != nil || shards != job.Spec.Completions {
		t.Fatalf("SHARDS = %q but completions = %d: they must agree", env["SHARDS"], job.Spec.Completions)
	}
	var merge k8sDoc
	for _, d := range readManifest(t, "../../deploy/k8s-merge-job.yaml") {
		if d.Kind == "Job" {
			merge = d
		}
	}
	if len(merge.Spec.Template.Spec.InitContainers) != 1 || len(merge.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("k8s-merge-job.yaml: want a merge init container and a plot container")
	}
	mc := merge.Spec.Template.Spec.InitContainers[0]
	var shardArgs []string
	for _, a := range mc.Args {
		if strings.Contains(a, "/shard-") {
			shardArgs = append(shardArgs, a)
		}
	}
	if len(shardArgs) != shards {
		t.Fatalf("the merge job joins %d shards, the indexed job runs %d", len(shardArgs), shards)
	}

	// Run it: mounts become directories under root, and the sweep is the
	// small test sweep (the shipped one takes minutes).
	bin := buildOscsim(t)
	root := t.TempDir()
	sw := killSweep(t)
	ref := filepath.Join(t.TempDir(), "ref")
	oscsim(t, bin, "sweep", sw, "-o", ref)
	mapPath := func(c k8sContainer, s string) string {
		for _, m := range c.VolumeMounts {
			if strings.HasPrefix(s, m.MountPath) {
				return filepath.Join(root, m.Name) + strings.TrimPrefix(s, m.MountPath)
			}
		}
		return s
	}
	for i := 0; i < shards; i++ {
		e := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}
		for k, v := range env {
			e[k] = v
		}
		e["SWEEP"] = sw
		var args []string
		for _, a := range shard.Args {
			args = append(args, mapPath(shard, expand(a, e)))
		}
		oscsim(t, bin, args...)
	}
	for _, c := range []k8sContainer{mc, merge.Spec.Template.Spec.Containers[0]} {
		e := map[string]string{}
		for _, x := range c.Env {
			e[x.Name] = x.Value
		}
		if e["NAME"] != env["NAME"] {
			t.Fatalf("%s container: NAME = %q, the indexed job writes %q", c.Name, e["NAME"], env["NAME"])
		}
		var args []string
		for _, a := range c.Args {
			args = append(args, mapPath(c, expand(a, e)))
		}
		oscsim(t, bin, args...)
	}
	merged := filepath.Join(root, "results", env["NAME"], "merged")
	sameSweepFiles(t, ref, merged)
	if pngs, _ := filepath.Glob(filepath.Join(merged, "plots", "*.png")); len(pngs) == 0 {
		t.Errorf("the plot container wrote no PNG into %s/plots", merged)
	}
}
