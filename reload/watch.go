package reload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// watch reloads whenever the fingerprint of the policy paths differs from
// the one the last load read, polled every WatchInterval. Polling needs no file-system events, which differ by
// OS and miss changes on network and container-mounted volumes (a Kubernetes
// ConfigMap is swapped in by a symlink); the walk costs a stat per file.
func (h *Holder) watch(ctx context.Context) {
	tick := time.NewTicker(h.cfg.WatchInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		h.loading.Lock()
		changed := fingerprint(h.cfg.Policy.Paths) != h.seen
		h.loading.Unlock()
		if !changed {
			continue
		}
		if err := h.Reload(ctx, TriggerWatch); err != nil {
			h.cfg.Logger.Debug("watch", slog.String("error", err.Error()))
		}
	}
}

// fingerprint digests the name, size and modification time of every file
// under paths (following a symlinked path itself), and any error walking
// them, so that a change to any of it changes the digest.
func fingerprint(paths []string) string {
	hash := sha256.New()
	for _, root := range paths {
		resolved, err := filepath.EvalSymlinks(root)
		if err != nil {
			fmt.Fprintf(hash, "error\x00%s\x00%v\x00", root, err)
			continue
		}
		fmt.Fprintf(hash, "root\x00%s\x00", resolved)
		err = filepath.WalkDir(resolved, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			if !info.IsDir() {
				fmt.Fprintf(hash, "%s\x00%d\x00%d\x00", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(hash, "error\x00%s\x00%v\x00", root, err)
		}
	}
	return hex.EncodeToString(hash.Sum(nil))
}
