package bob

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// labelsOut writes a transmission's decoded training labels (--labels-out),
// one per line, as Bob decodes them, so that he holds none: into a
// temporary file beside the path, renamed onto it once the transmission is
// verified (commit) and removed otherwise (discard). A transmission that
// resumes decodes from its first byte again, into a new file.
type labelsOut struct {
	path string
	f    *os.File
	w    *bufio.Writer
	err  error // the first write error, reported by commit
	line []byte
}

func createLabelsOut(path string) (*labelsOut, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write labels: %w", err)
	}
	return &labelsOut{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// add writes the next training label.
func (l *labelsOut) add(y int) {
	if l.err != nil {
		return
	}
	l.line = append(strconv.AppendInt(l.line[:0], int64(y), 10), '\n')
	_, l.err = l.w.Write(l.line)
}

// commit puts the labels written so far at the path.
func (l *labelsOut) commit() error {
	name := l.f.Name()
	err := l.err
	if err == nil {
		err = l.w.Flush()
	}
	if err == nil {
		err = l.f.Chmod(0o644)
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, l.path)
	}
	l.f = nil
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("write labels: %w", err)
	}
	return nil
}

// discard removes the temporary file of a transmission that did not
// commit; after commit it does nothing.
func (l *labelsOut) discard() {
	if l.f == nil {
		return
	}
	l.f.Close()
	os.Remove(l.f.Name())
	l.f = nil
}
