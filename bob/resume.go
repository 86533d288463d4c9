package bob

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wirepb"
)

// Resumable transmissions. Bob keeps, per session id, the spec Alice sent
// and every payload byte he has received, in memory and, with
// Config.StateDir, on disk. A transmission whose stream breaks (the network
// drops, Alice's process pauses past the idle timeout, Bob is restarted) is
// not ended: Alice reconnects with Hello{resume: true} and the same session
// id, Bob rebuilds the session by replaying the stored bytes through the
// decoder — the core is deterministic, so replay reproduces every label,
// checkpoint and fingerprint exactly — and answers Welcome{resume_offset}:
// the bytes he holds. Alice sends on from there. Nothing is lost and nothing
// is decoded twice; the stream Bob decodes is byte for byte the
// uninterrupted one.
//
// Replaying bytes rather than restoring a serialized model keeps one code
// path (the decoder) and needs no snapshot format; its cost is decoding the
// prefix again, which is fast next to training on it.
// DefaultResumeTTL is how long Bob keeps a broken transmission's state
// for Alice to come back.
const DefaultResumeTTL = 10 * time.Minute

type resumeStore struct {
	dir string        // "" = memory only
	ttl time.Duration // an idle entry is forgotten after this long

	mu      sync.Mutex
	entries map[string]*resumeEntry
}

type resumeEntry struct {
	spec    []byte // the Hello's spec, canonical encoding
	data    []byte // payload bytes received so far
	touched time.Time
	file    *os.File // append-only copy of data under dir, or nil
	// cancel ends the stream currently serving the entry, so a resume can
	// take over a stream the network left half-open.
	cancel context.CancelFunc
	busy   chan struct{} // held (1 token) by the stream serving the entry
}

func newResumeStore(dir string, ttl time.Duration) *resumeStore {
	if ttl <= 0 {
		ttl = DefaultResumeTTL
	}
	return &resumeStore{dir: dir, ttl: ttl, entries: map[string]*resumeEntry{}}
}

// validID keeps session ids usable as file names.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (r *resumeStore) paths(id string) (specPath, dataPath string) {
	return filepath.Join(r.dir, id+".spec"), filepath.Join(r.dir, id+".bytes")
}

// open returns the entry for a session. With resume it takes the entry over
// from a stream that still holds it (a half-open connection) and loads it
// from memory or disk; a fresh or unknown session starts empty. A fresh
// Hello whose id a running stream holds gets nil: that transmission runs
// but cannot be resumed (ids are 64-bit random, so this is a client that
// reuses them). The caller must release a non-nil entry.
func (r *resumeStore) open(ctx context.Context, id string, specBytes []byte, resume bool, cancel context.CancelFunc) (*resumeEntry, error) {
	if !validID(id) {
		return nil, fmt.Errorf("session_id %q: want 1 to 64 letters, digits, '-' or '_'", id)
	}
	r.mu.Lock()
	r.sweepLocked()
	e := r.entries[id]
	if e == nil {
		e = &resumeEntry{busy: make(chan struct{}, 1)}
		r.entries[id] = e
	}
	if !resume && len(e.busy) > 0 {
		r.mu.Unlock()
		return nil, nil
	}
	old := e.cancel
	r.mu.Unlock()
	if old != nil {
		old() // a stale stream of the same session: end it
	}
	select {
	case e.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e.cancel, e.touched = cancel, time.Now()
	if !resume {
		r.resetLocked(id, e)
	} else if e.spec == nil && r.dir != "" {
		r.loadLocked(id, e)
	}
	if e.spec != nil && string(e.spec) != string(specBytes) {
		// A different experiment under the same id: start over rather
		// than splice two streams.
		r.resetLocked(id, e)
	}
	if e.spec == nil {
		e.spec = specBytes
		if r.dir != "" {
			sp, dp := r.paths(id)
			if err := os.WriteFile(sp, specBytes, 0o600); err != nil {
				<-e.busy
				return nil, fmt.Errorf("state-dir: %w", err)
			}
			f, err := os.OpenFile(dp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
			if err != nil {
				<-e.busy
				return nil, fmt.Errorf("state-dir: %w", err)
			}
			e.file = f
		}
	}
	return e, nil
}

// loadLocked reads a stored entry back after a restart.
func (r *resumeStore) loadLocked(id string, e *resumeEntry) {
	sp, dp := r.paths(id)
	specBytes, err1 := os.ReadFile(sp)
	data, err2 := os.ReadFile(dp)
	if err1 != nil || err2 != nil {
		return
	}
	f, err := os.OpenFile(dp, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	e.spec, e.data, e.file = specBytes, data, f
}

func (r *resumeStore) resetLocked(id string, e *resumeEntry) {
	if e.file != nil {
		e.file.Close()
		e.file = nil
	}
	e.spec, e.data = nil, nil
	if r.dir != "" {
		sp, dp := r.paths(id)
		os.Remove(sp)
		os.Remove(dp)
	}
}

// append records payload bytes Bob has accepted.
func (r *resumeStore) append(e *resumeEntry, p []byte) error {
	if e == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e.data = append(e.data, p...)
	e.touched = time.Now()
	if e.file != nil {
		if _, err := e.file.Write(p); err != nil {
			return fmt.Errorf("state-dir: %w", err)
		}
	}
	return nil
}

// release gives the entry back; with keep false (the transmission ended,
// well or for good) it is forgotten, on disk too.
func (r *resumeStore) release(id string, e *resumeEntry, keep bool) {
	if e == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e.cancel = nil
	e.touched = time.Now()
	if !keep {
		r.resetLocked(id, e)
		delete(r.entries, id)
	}
	<-e.busy
}

// sweepLocked forgets idle entries older than the TTL, and their files.
func (r *resumeStore) sweepLocked() {
	now := time.Now()
	for id, e := range r.entries {
		if e.cancel == nil && now.Sub(e.touched) > r.ttl && len(e.busy) == 0 {
			r.resetLocked(id, e)
			delete(r.entries, id)
		}
	}
	if r.dir == "" {
		return
	}
	files, _ := os.ReadDir(r.dir)
	for _, f := range files {
		id, ok := strings.CutSuffix(f.Name(), ".bytes")
		if !ok || r.entries[id] != nil {
			continue
		}
		if info, err := f.Info(); err == nil && now.Sub(info.ModTime()) > r.ttl {
			sp, dp := r.paths(id)
			os.Remove(sp)
			os.Remove(dp)
		}
	}
}

// suspendedError marks a transmission whose stream broke: Bob keeps its
// state for a resume and does not count it as ended.
type suspendedError struct{ err error }

func (e *suspendedError) Error() string {
	return "bob: transmission suspended, resumable: " + e.err.Error()
}
func (e *suspendedError) Unwrap() error { return e.err }

// takeoverStream lets a resumed stream end the one it replaces: Recv gives
// up with Aborted when ctx is cancelled. Like idleStream it receives on its
// own goroutine; the abandoned Recv unblocks when the handler returns.
type takeoverStream struct {
	wirepb.Transmission_TransmitServer
	ctx context.Context
}

func (s takeoverStream) Recv() (*wirepb.AliceMessage, error) {
	ch := make(chan recvResult, 1)
	go func() {
		m, err := s.Transmission_TransmitServer.Recv()
		ch <- recvResult{m, err}
	}()
	select {
	case r := <-ch:
		return r.msg, r.err
	case <-s.ctx.Done():
		return nil, status.Error(codes.Aborted, "bob: superseded by a resumed stream of the same session")
	}
}

// suspendable reports whether a transmission that ended with err may be
// resumed: the stream broke or went quiet, rather than being refused or
// found corrupt.
func suspendable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return true
	}
	switch status.Code(err) {
	case codes.Canceled, codes.Unavailable, codes.DeadlineExceeded, codes.Aborted:
		return true
	}
	return false
}
