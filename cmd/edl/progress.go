package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports a long job on stderr: a redrawn bar when the writer is a
// terminal, a plain line every few seconds otherwise. Nothing is printed
// during the first two seconds, so short jobs stay quiet.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	label string
	start time.Time
	last  time.Time
	drawn bool
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func newProgress(w io.Writer, label string) *progress {
	now := time.Now()
	return &progress{w: w, tty: isTerminal(w), label: label, start: now, last: now}
}

// Update records done of total units.
func (p *progress) Update(done, total int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	elapsed := now.Sub(p.start)
	if elapsed < 2*time.Second && done < total {
		return
	}
	every := 5 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if now.Sub(p.last) < every && done < total {
		return
	}
	if done == total && !p.drawn && elapsed < 2*time.Second {
		return
	}
	p.last = now
	frac := float64(done) / float64(max(total, 1))
	eta := ""
	if done > 0 && done < total {
		eta = fmt.Sprintf(", about %s left", (time.Duration(float64(elapsed)/frac) - elapsed).Round(time.Second))
	}
	if p.tty {
		const width = 30
		fill := int(frac * width)
		fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %d/%d %s%s   ", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill),
			100*frac, done, total, elapsed.Round(time.Second), eta)
		if done == total {
			fmt.Fprintln(p.w)
		}
	} else {
		fmt.Fprintf(p.w, "%s: %d/%d jobs (%.0f%%), %s elapsed%s\n", p.label, done, total, 100*frac, elapsed.Round(time.Second), eta)
	}
	p.drawn = true
}
