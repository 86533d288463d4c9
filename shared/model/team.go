package model

import (
	"runtime"
	"sync/atomic"
)

// team is the helper goroutines an MLP's parallel regions run on. A batch
// step of 64→512→512→10 has four regions of 0.04-1 ms each (two layers
// forward, two backward; the output layer's are below parallelMin), and a
// region handed to spinning helpers costs 0.1-0.3 µs
// (BenchmarkMLPRegions/barrier); starting a goroutine per region costs a
// thread wake-up each time (tens of microseconds on a VM, measured as
// workers=2 gaining only 1.1× over one at 64→512→512→10 while two
// independent loops gain 1.7-1.9×), so the helpers outlive the regions and
// wait for the next one spinning for a short while before they park. The
// split is unchanged (worker k of w takes the k-th share), so the results
// are the same bits; only the waiting differs. On a machine busier than
// its processors, a helper may not be running when its share is posted:
// the caller then runs that share itself once its own is done (take), and
// waits inside a step park after a short spin (event) rather than hold a
// processor the goroutine they wait for needs.
//
// Hand-written rather than a library: the pools on offer (errgroup,
// ants and the like) hand work over through channels or a mutex, which is
// the very wake-up cost this removes.
type team struct {
	helpers []*helper
}

// helper is one goroutine of a team: the caller posts a job by writing
// its fields and then raising seq; whoever of the helper and the caller
// raises claimed to it runs it, the helper publishing done.
// The atomics order the plain fields (Go's memory model: a Store is seen
// with everything written before it).
type helper struct {
	seq     atomic.Uint64 // jobs posted
	claimed atomic.Uint64 // jobs started, by the helper or taken by the caller
	done    event         // jobs the helper finished
	parked  atomic.Bool   // blocked on wake: the next post must send a token
	quit    atomic.Bool
	wake    chan struct{} // buffered, one token

	// The posted job. m is cleared once the job is done, so an idle
	// helper does not keep its MLP reachable (see newTeam's cleanup).
	m         *MLP
	job, l, k int
	w         int
}

// spinIdle is how many times an idle helper checks for a new job before
// it parks (about 20-60 µs): longer than the serial work between two
// regions of a step, shorter than the pause between steps of a slow
// driver, so a busy pass never parks and an idle session does not burn a
// core.
const spinIdle = 1 << 14

// newTeam starts n helpers for m and arranges for them to stop once m is
// unreachable.
func newTeam(m *MLP, n int) *team {
	t := &team{helpers: make([]*helper, n)}
	for i := range t.helpers {
		h := &helper{wake: make(chan struct{}, 1), done: newEvent()}
		t.helpers[i] = h
		go h.loop()
	}
	runtime.AddCleanup(m, func(t *team) { t.stop() }, t)
	return t
}

func (t *team) stop() {
	for _, h := range t.helpers {
		h.quit.Store(true)
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

func (h *helper) loop() {
	var seen uint64
	for {
		for spins := 0; h.seq.Load() == seen; spins++ {
			if h.quit.Load() {
				return
			}
			if spins < spinIdle {
				if spins&1023 == 1023 {
					runtime.Gosched() // let the caller run where it shares this processor (GOMAXPROCS 1)
				}
				continue
			}
			// Park, then check again: a post between the check above
			// and parked = true is seen here, one after it sends a token.
			h.parked.Store(true)
			if h.seq.Load() == seen && !h.quit.Load() {
				<-h.wake
			}
			h.parked.Store(false)
			spins = 0
		}
		seen = h.seq.Load()
		if !h.claimed.CompareAndSwap(seen-1, seen) {
			continue // the caller took it
		}
		m := h.m
		h.m = nil
		m.run(h.job, h.l, h.k, h.w)
		h.done.set(int64(seen))
	}
}

// post hands worker k of w's share of job for layer l to h.
func (h *helper) post(m *MLP, job, l, k, w int) uint64 {
	h.m, h.job, h.l, h.k, h.w = m, job, l, k, w
	target := h.seq.Add(1)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	return target
}

// take claims job number target for the caller, if h has not started it:
// a helper that has not begun its share by the time the caller has
// finished its own is not running (descheduled on a busy machine, parked
// and not yet woken, or sharing the caller's processor under GOMAXPROCS
// 1), and the caller runs the share itself rather than wait for it. The
// share is the same units, so the results are the same bits; exactly one
// of the two claims each job (the compare-and-swap), and the caller posts
// the next job only after this one is taken or done.
func (h *helper) take(target uint64) bool {
	if h.claimed.CompareAndSwap(target-1, target) {
		h.m = nil
		return true
	}
	return false
}

// wait returns once h has finished job number target.
func (h *helper) wait(target uint64) { h.done.await(int64(target)) }

// event lets a goroutine wait for another to advance a counter: the
// caller for a helper's jobs, a stage of the back-propagation for the
// stage before it. The waiter spins first (a wait inside a busy step is
// a few microseconds), then parks: on a machine with more runnable
// threads than processors, the goroutine it waits for may have lost its
// processor, and a waiter that kept spinning would hold its own until
// the kernel's time slice ended (milliseconds) instead of handing it over.
type event struct {
	n      atomic.Int64
	parked atomic.Bool   // blocked on wake: the next set must send a token
	wake   chan struct{} // buffered, one token
}

func newEvent() event { return event{wake: make(chan struct{}, 1)} }

// set publishes v (with everything written before it) and wakes a parked
// waiter.
func (e *event) set(v int64) {
	e.n.Store(v)
	if e.parked.Load() {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
}

// await returns once the counter has reached v. It spins for about as
// long as an idle helper (spinIdle), yielding the processor now and then
// (GOMAXPROCS 1: the goroutine it waits for may share it), then parks. A
// set between the check and parked = true is seen by the check after it,
// one after it sends a token; a token left over from a set that found the
// waiter about to leave only makes a later park return early, and the
// loop checks again.
func (e *event) await(v int64) {
	for spins := 0; e.n.Load() < v; spins++ {
		if spins < spinIdle {
			if spins&1023 == 1023 {
				runtime.Gosched()
			}
			continue
		}
		e.parked.Store(true)
		if e.n.Load() < v {
			<-e.wake
		}
		e.parked.Store(false)
		spins = 0
	}
}
