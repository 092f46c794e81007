package deploy_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

// deployment is the part of the base Deployment these tests read.
type deployment struct {
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Template struct {
			Spec struct {
				TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
				Containers                    []struct {
					Args []string `yaml:"args"`
					Env  []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					Resources struct {
						Limits map[string]string `yaml:"limits"`
					} `yaml:"resources"`
					Lifecycle struct {
						PreStop struct {
							Sleep struct {
								Seconds int `yaml:"seconds"`
							} `yaml:"sleep"`
						} `yaml:"preStop"`
					} `yaml:"lifecycle"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readDeployment(t *testing.T) deployment {
	t.Helper()
	body, err := os.ReadFile("base/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var d deployment
	if err := yaml.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want the one advise", len(d.Spec.Template.Spec.Containers))
	}
	return d
}

// flagValue is the value of --name=value among args, or "" and false.
func flagValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// TestShutdownFitsTheGracePeriod checks the Deployment's shutdown
// arithmetic: the preStop sleep, then the server's --drain-delay and
// --grace, all before the kubelet's SIGKILL at
// terminationGracePeriodSeconds, which counts from the deletion.
func TestShutdownFitsTheGracePeriod(t *testing.T) {
	d := readDeployment(t)
	c := d.Spec.Template.Spec.Containers[0]
	total := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	if total <= 0 {
		t.Error("no preStop sleep: SIGTERM would come while the endpoints still send the pod traffic")
	}
	for _, name := range []string{"drain-delay", "grace"} {
		v, ok := flagValue(c.Args, name)
		if !ok {
			t.Errorf("args %q lack --%s=", c.Args, name)
			continue
		}
		dur, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("--%s=%s: %v", name, v, err)
		}
		total += dur
	}
	// A batch evaluates for up to 20 s; the grace must let it finish.
	if v, _ := flagValue(c.Args, "grace"); v != "" {
		if dur, _ := time.ParseDuration(v); dur < 20*time.Second {
			t.Errorf("--grace=%s is shorter than a batch's 20 s evaluation deadline", v)
		}
	}
	period := time.Duration(d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	if total >= period {
		t.Errorf("preStop, drain delay and grace take %s, not less than terminationGracePeriodSeconds %s: SIGKILL would cut the drain", total, period)
	}
}

// TestMemoryLimitAboveGOMEMLIMIT: the Go runtime's soft limit is under the
// container's hard one, so the collector works harder before the kernel
// kills the pod.
func TestMemoryLimitAboveGOMEMLIMIT(t *testing.T) {
	c := readDeployment(t).Spec.Template.Spec.Containers[0]
	limit := mebibytes(t, c.Resources.Limits["memory"], "Mi")
	var soft int
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" {
			soft = mebibytes(t, e.Value, "MiB")
		}
	}
	if soft == 0 {
		t.Fatal("no GOMEMLIMIT in the container's environment")
	}
	if soft >= limit || soft < limit*8/10 {
		t.Errorf("GOMEMLIMIT %d MiB, want 80 to 99 %% of the %d MiB memory limit", soft, limit)
	}
}

// mebibytes reads a quantity written as a number of MiB with the given
// unit, as the manifest writes them.
func mebibytes(t *testing.T, quantity, unit string) int {
	t.Helper()
	digits, ok := strings.CutSuffix(quantity, unit)
	n := 0
	for _, r := range digits {
		if r < '0' || r > '9' {
			ok = false
		}
		n = n*10 + int(r-'0')
	}
	if !ok || digits == "" {
		t.Fatalf("%q: want a whole number of %s", quantity, unit)
	}
	return n
}

// TestTheAutoscalerOwnsTheReplicas: at least two replicas, counted by the
// HorizontalPodAutoscaler alone, since a replicas field in the Deployment
// would be set back by every kubectl apply.
func TestTheAutoscalerOwnsTheReplicas(t *testing.T) {
	if r := readDeployment(t).Spec.Replicas; r != nil {
		t.Errorf("the Deployment sets replicas: %d", *r)
	}
	body, err := os.ReadFile("base/hpa.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hpa struct {
		Spec struct {
			MinReplicas int `yaml:"minReplicas"`
			MaxReplicas int `yaml:"maxReplicas"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(body, &hpa); err != nil {
		t.Fatal(err)
	}
	if hpa.Spec.MinReplicas < 2 || hpa.Spec.MaxReplicas < hpa.Spec.MinReplicas {
		t.Errorf("the autoscaler's replicas %d to %d, want at least 2", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
}
