// Package version says which build of the advisor is running: its version
// and source revision, and the Go and OPA versions it was built with, as
// "advise --version" prints them and advise_build_info exposes them.
package version

import (
	"runtime"
	"runtime/debug"

	opaversion "github.com/open-policy-agent/opa/v1/version"
)

// Version and Revision are set at build time, where the build knows them
// better than the Go toolchain does (a container build has no .git):
//
//	go build -ldflags "-X github.com/placement-advisor/advise/internal/version.Version=1.4.0 \
//	  -X github.com/placement-advisor/advise/internal/version.Revision=$(git rev-parse HEAD)" ./cmd/advise
//
// Left empty, they come from the binary's build information (Get).
var (
	Version  string
	Revision string
)

// Unknown is what a fact no build recorded reads as.
const Unknown = "unknown"

// Info is what a build says about itself.
type Info struct {
	// Version is the release, from -ldflags, else the module version the
	// Go toolchain stamped (a pseudo-version for a build from a VCS
	// checkout, "(devel)" without one).
	Version string `json:"version"`
	// Revision is the VCS revision built, "-dirty" appended when the work
	// tree had local changes.
	Revision  string `json:"revision"`
	GoVersion string `json:"go_version"`
	// OPAVersion is the Open Policy Agent library evaluating the rules.
	OPAVersion string `json:"opa_version"`
}

// Get reports this binary's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return Of(bi)
}

// Of is the Info of a build whose build information is bi (nil when the
// binary has none), with the -ldflags values winning over bi's. Every
// field is set: Unknown where nothing recorded it.
func Of(bi *debug.BuildInfo) Info {
	info := Info{Version: Version, Revision: Revision, GoVersion: runtime.Version(), OPAVersion: opaversion.Version}
	if bi != nil {
		if info.Version == "" {
			info.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		if info.Revision == "" {
			info.Revision = vcsRevision(bi.Settings)
		}
	}
	if info.Version == "" {
		info.Version = Unknown
	}
	if info.Revision == "" {
		info.Revision = Unknown
	}
	return info
}

// vcsRevision is the revision the toolchain stamped, "-dirty" appended
// when the work tree had local changes; "" when it stamped none (a build
// with -buildvcs=false or outside a checkout).
func vcsRevision(settings []debug.BuildSetting) string {
	var revision string
	var modified bool
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision != "" && modified {
		revision += "-dirty"
	}
	return revision
}
