package version_test

import (
	"runtime"
	"runtime/debug"
	"testing"

	opaversion "github.com/open-policy-agent/opa/v1/version"

	"github.com/placement-advisor/advise/internal/version"
)

func TestOf(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := map[string]struct {
		ldVersion, ldRevision string
		bi                    *debug.BuildInfo
		want                  version.Info
	}{
		"no build information": {
			want: version.Info{Version: version.Unknown, Revision: version.Unknown, GoVersion: runtime.Version()},
		},
		"toolchain stamps": {
			bi: &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "v1.2.3"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}},
			want: version.Info{Version: "v1.2.3", Revision: rev, GoVersion: "go1.99.1"},
		},
		"local changes": {
			bi: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
				Settings: []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: rev}}},
			want: version.Info{Version: "(devel)", Revision: rev + "-dirty", GoVersion: runtime.Version()},
		},
		"no vcs stamp": {
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "-buildvcs", Value: "false"}}},
			want: version.Info{Version: "(devel)", Revision: version.Unknown, GoVersion: runtime.Version()},
		},
		"ldflags win": {
			ldVersion: "2.0.0", ldRevision: "abc1234",
			bi: &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}}},
			want: version.Info{Version: "2.0.0", Revision: "abc1234", GoVersion: runtime.Version()},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			oldVersion, oldRevision := version.Version, version.Revision
			t.Cleanup(func() { version.Version, version.Revision = oldVersion, oldRevision })
			version.Version, version.Revision = tc.ldVersion, tc.ldRevision
			tc.want.OPAVersion = opaversion.Version
			if got := version.Of(tc.bi); got != tc.want {
				t.Errorf("Of = %+v, want %+v", got, tc.want)
			}
		})
	}
}
