package predictor

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/edlwire/edlwire/proto/predictorpb"
	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/model"
)

// Handshake is what host and plugin agree on before anything else: the
// plugin refuses to run unless it finds the magic cookie in its
// environment (it was started by edlwire, not by hand).
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "EDLWIRE_PREDICTOR_PLUGIN",
	MagicCookieValue: "predictor-v1",
}

// flowWindow is the HTTP/2 flow-control window of the connection to a
// plugin and of each of its streams, in bytes.
const flowWindow = 16 << 20

// pluginName is the one plugin a predictor process serves.
const pluginName = "predictor"

// Defaults for Config.
const (
	DefaultCallTimeout  = 60 * time.Second
	DefaultStartTimeout = 2 * time.Minute
)

// Config says which predictor to start and how.
type Config struct {
	// Path is the plugin executable.
	Path string
	// Args are passed to it.
	Args []string
	// Spec is the plugin's own model description, passed to Init as is.
	Spec []byte
	// Seed seeds the plugin's every random choice.
	Seed uint64
	// InputDim and Classes are the task's; the plugin must answer Classes
	// probabilities per row.
	InputDim, Classes int
	// CallTimeout bounds every call (DefaultCallTimeout if zero).
	CallTimeout time.Duration
	// StartTimeout bounds the start and the handshake (DefaultStartTimeout
	// if zero): importing a large framework takes seconds.
	StartTimeout time.Duration
	// Stderr receives the plugin's stderr (discarded if nil).
	Stderr io.Writer
}

// Validate checks a Config before anything is started.
func (c Config) Validate() error {
	if c.Path == "" {
		return errors.New("predictor: no plugin path")
	}
	if c.InputDim < 1 || c.Classes < 2 {
		return fmt.Errorf("predictor: input dimension %d and %d classes: want ≥ 1 and ≥ 2", c.InputDim, c.Classes)
	}
	if c.CallTimeout < 0 || c.StartTimeout < 0 {
		return errors.New("predictor: negative timeout")
	}
	return nil
}

// ErrStopped is wrapped by every call after the plugin failed or was closed.
var ErrStopped = errors.New("predictor: the plugin is stopped")

// Client is a running plugin. It is not safe for concurrent use: the
// session makes one call at a time.
type Client struct {
	cfg    Config
	plugin *plugin.Client
	rpc    predictorpb.PredictorClient
	cc     *grpc.ClientConn // the connection rpc uses (Close asks for a shutdown on it)
	desc   string
	failed error // the first failure; every later call returns it

	// pending is the last batch's Update, held back so that it travels
	// with the next batch's Predict in one round trip (UpdateRequest.next);
	// any other call sends it first.
	pending     *predictorpb.UpdateRequest
	pendingRows int
	in, upd     []byte // reused input buffers of Predict and of the pending Update

	// keeps is InitResponse.keeps_predicted_inputs: an Update of the
	// batch last predicted may leave its inputs out. predicted says that
	// in holds the inputs of that batch, whose first example is
	// predictedFirst, and that the plugin still holds them (no Update or
	// Load since).
	keeps          bool
	predicted      bool
	predictedFirst int64

	// stream is the open Session stream that Predict and Update travel on
	// (nil before the first); unary is set when the plugin does not serve
	// Session, and every call is then a unary one.
	stream       grpc.BidiStreamingClient[predictorpb.SessionRequest, predictorpb.SessionResponse]
	stopStream   context.CancelFunc
	streamAnswer bool // the stream has answered once: Unimplemented is no longer a fallback
	unary        bool
}

var _ model.External = (*Client)(nil)

// Start launches the plugin, waits for its handshake and calls Init.
func Start(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	stderr := cfg.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          plugin.PluginSet{pluginName: &grpcPlugin{}},
		Cmd:              exec.Command(cfg.Path, cfg.Args...),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		// One call in flight on a local socket: flow-control windows
		// large enough that a batch never waits for a window update, and
		// with them set gRPC's bandwidth probe (a PING and its ack
		// beside each burst of data) is off.
		GRPCDialOptions: []grpc.DialOption{
			grpc.WithInitialWindowSize(flowWindow),
			grpc.WithInitialConnWindowSize(flowWindow),
		},
		StartTimeout: cfg.StartTimeout,
		Stderr:       stderr,
		SyncStderr:   stderr,
		// Managed: plugin.CleanupClients (the mains call it on a signal)
		// kills every plugin still running.
		Managed: true,
		// go-plugin's own log lines (plugin started, exited, killed at
		// the end) are noise at the product's level; failures reach the
		// caller as errors, and the plugin's stderr goes to Stderr as is.
		Logger: hclog.New(&hclog.LoggerOptions{Name: "predictor", Output: stderr, Level: hclog.Off}),
	})
	c := &Client{cfg: cfg, plugin: pc}
	fail := func(err error) (*Client, error) {
		pc.Kill()
		return nil, err
	}
	proto, err := pc.Client()
	if err != nil {
		return fail(fmt.Errorf("predictor: start %s: %w", cfg.Path, err))
	}
	raw, err := proto.Dispense(pluginName)
	if err != nil {
		return fail(fmt.Errorf("predictor: %s: %w", cfg.Path, err))
	}
	d := raw.(dispensed)
	c.rpc, c.cc = d.PredictorClient, d.cc
	var resp *predictorpb.InitResponse
	err = c.call(ctx, "Init", -1, 0, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Init(ctx, &predictorpb.InitRequest{
			Spec: cfg.Spec, Seed: cfg.Seed, InputDim: int32(cfg.InputDim), Classes: int32(cfg.Classes),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	c.desc = resp.GetDescription()
	c.keeps = resp.GetKeepsPredictedInputs()
	return c, nil
}

// Description is the plugin's name for its model.
func (c *Client) Description() string { return c.desc }

// NumClasses is K.
func (c *Client) NumClasses() int { return c.cfg.Classes }

// InputDim is the length of an input row.
func (c *Client) InputDim() int { return c.cfg.InputDim }

// Close stops the plugin process; it is safe to call more than once.
//
// It asks the plugin to shut down (go-plugin's controller, which the torch
// plugin serves) and kills it at once if it cannot: go-plugin would
// otherwise wait two seconds for a plugin without the controller, such as
// the README's skeleton, to exit by itself.
func (c *Client) Close() {
	c.closeStream()
	if c.cc != nil && !c.plugin.Exited() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.cc.Invoke(ctx, "/plugin.GRPCController/Shutdown", &emptypb.Empty{}, &emptypb.Empty{})
		cancel()
		if err != nil {
			if p, perr := os.FindProcess(c.plugin.ReattachConfig().Pid); perr == nil {
				_ = p.Kill()
			}
		}
	}
	c.plugin.Kill()
	if c.failed == nil {
		c.failed = ErrStopped
	}
}

// call runs one RPC under the call timeout; name says which, for messages. On any failure the plugin is
// killed and the Client marked failed: a plugin that broke the protocol
// once is not trusted again. first < 0 means the call concerns no example.
func (c *Client) call(ctx context.Context, name string, first int64, rows int, rpc func(context.Context) error) error {
	if c.failed != nil {
		return c.failed
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	err := rpc(ctx)
	if err == nil {
		return nil
	}
	return c.fail(fmt.Errorf("predictor: %s%s: %s", name, examples(first, rows), c.explain(err)))
}

// fail kills the plugin and remembers err (which wraps ErrStopped).
func (c *Client) fail(err error) error {
	c.plugin.Kill()
	c.failed = fmt.Errorf("%w (%w)", err, ErrStopped)
	return c.failed
}

// explain turns a gRPC error into what happened to the plugin.
func (c *Client) explain(err error) string {
	st, _ := status.FromError(err)
	if st.Code() == codes.Unavailable {
		// A crash reaches the connection before go-plugin has reaped the
		// process: give it a moment, so the message says which happened.
		for i := 0; i < 50 && !c.plugin.Exited(); i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
	switch {
	case st.Code() == codes.DeadlineExceeded:
		return fmt.Sprintf("no answer within %v (the plugin hangs)", c.cfg.CallTimeout)
	case c.plugin.Exited():
		return fmt.Sprintf("the plugin process exited (%s)", st.Message())
	case st.Code() == codes.Unavailable:
		return fmt.Sprintf("the plugin is unreachable, it probably crashed (%s)", st.Message())
	default:
		return fmt.Sprintf("the plugin failed: %s: %s", st.Code(), st.Message())
	}
}

func examples(first int64, rows int) string {
	switch {
	case first < 0:
		return ""
	case rows == 1:
		return fmt.Sprintf(" of example %d", first)
	default:
		return fmt.Sprintf(" of examples %d..%d", first, first+int64(rows)-1)
	}
}

// matrix packs rows of equal length into the wire's little-endian float64,
// reusing *buf.
func matrix(buf *[]byte, xs [][]float64) *predictorpb.Matrix {
	cols := 0
	if len(xs) > 0 {
		cols = len(xs[0])
	}
	b := (*buf)[:0]
	for _, x := range xs {
		if len(x) != cols {
			panic(fmt.Sprintf("predictor: ragged batch: rows of %d and %d", cols, len(x)))
		}
		for _, v := range x {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	*buf = b
	return &predictorpb.Matrix{Rows: int32(len(xs)), Cols: int32(cols), Data: b}
}

// Predict asks for a batch's distributions and checks every row. A pending
// Update goes in the same call.
func (c *Client) Predict(first int64, probs, xs [][]float64) error {
	req := &predictorpb.PredictRequest{FirstExample: first, Inputs: matrix(&c.in, xs)}
	var resp *predictorpb.PredictResponse
	if u := c.pending; u != nil {
		c.pending = nil
		u.Next = req
		name := fmt.Sprintf("Update%s with Predict", examples(u.FirstExample, c.pendingRows))
		r, err := c.session(name, first, len(xs), &predictorpb.SessionRequest{Call: &predictorpb.SessionRequest_Update{Update: u}})
		if err != nil {
			return err
		}
		resp = r.GetUpdate().GetNext() // nil: the plugin does not predict in Update
	}
	if resp == nil {
		r, err := c.session("Predict", first, len(xs), &predictorpb.SessionRequest{Call: &predictorpb.SessionRequest_Predict{Predict: req}})
		if err != nil {
			return err
		}
		if resp = r.GetPredict(); resp == nil {
			return c.fail(fmt.Errorf("predictor: Predict%s: the plugin answered no prediction", examples(first, len(xs))))
		}
	}
	c.predicted, c.predictedFirst = true, first
	m := resp.GetProbs()
	k := c.cfg.Classes
	if int(m.GetRows()) != len(xs) || int(m.GetCols()) != k || len(m.GetData()) != 8*len(xs)*k {
		return c.fail(fmt.Errorf("predictor: Predict%s: the plugin answered %d×%d probabilities in %d bytes, want %d×%d (one row per example, one column per class)",
			examples(first, len(xs)), m.GetRows(), m.GetCols(), len(m.GetData()), len(xs), k))
	}
	data := m.GetData()
	for b := range xs {
		row := probs[b][:k]
		for j := range row {
			row[j] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*(b*k+j):]))
		}
		if err := coder.CheckProbs(row); err != nil {
			return c.fail(fmt.Errorf("predictor: Predict of example %d: %w", first+int64(b), err))
		}
	}
	return nil
}

// Update queues a batch's labels: they reach the plugin with the next
// Predict, or before any other call (flush). The inputs stay behind when
// the plugin keeps them and they are, byte for byte, the batch it last
// predicted (the usual case: a batch is predicted, then learnt).
func (c *Client) Update(first int64, xs [][]float64, labels []int) error {
	if err := c.flush(); err != nil {
		return err
	}
	if c.failed != nil {
		return c.failed
	}
	ls := make([]int32, len(labels))
	for i, y := range labels {
		ls[i] = int32(y)
	}
	u := &predictorpb.UpdateRequest{FirstExample: first, Inputs: matrix(&c.upd, xs), Labels: ls}
	if c.keeps && c.predicted && c.predictedFirst == first && bytes.Equal(c.upd, c.in) {
		u.Inputs = nil
	}
	// The plugin drops its predicted batch with any Update.
	c.predicted = false
	c.pending, c.pendingRows = u, len(xs)
	return nil
}

// flush sends a pending Update on its own.
func (c *Client) flush() error {
	u := c.pending
	if u == nil {
		return nil
	}
	c.pending = nil
	_, err := c.session("Update", u.FirstExample, c.pendingRows, &predictorpb.SessionRequest{Call: &predictorpb.SessionRequest_Update{Update: u}})
	return err
}

// Fingerprint is the plugin's hash of its state. A pending Update asks
// for it in the same call (a checkpoint follows an update); a plugin that
// does not answer there is asked by a Fingerprint call.
func (c *Client) Fingerprint() ([]byte, error) {
	if u := c.pending; u != nil {
		c.pending = nil
		u.Fingerprint = true
		r, err := c.session("Update with Fingerprint", u.FirstExample, c.pendingRows, &predictorpb.SessionRequest{Call: &predictorpb.SessionRequest_Update{Update: u}})
		if err != nil {
			return nil, err
		}
		if fp := r.GetUpdate().GetFingerprint(); len(fp) > 0 {
			return fp, nil
		}
	}
	var resp *predictorpb.FingerprintResponse
	err := c.call(context.Background(), "Fingerprint", -1, 0, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Fingerprint(ctx, &predictorpb.FingerprintRequest{})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(resp.GetFingerprint()) == 0 {
		return nil, c.fail(errors.New("predictor: Fingerprint: the plugin answered an empty fingerprint"))
	}
	return resp.GetFingerprint(), nil
}

// session makes one Predict or Update call (req): a message each way on
// the Session stream, opened at the first call, or the unary call when the
// plugin does not serve Session (it answers the stream's first message
// Unimplemented; that message is then sent again as a unary call). The
// call timeout bounds the message's round trip; name, first and rows are
// for messages, as in call.
func (c *Client) session(name string, first int64, rows int, req *predictorpb.SessionRequest) (*predictorpb.SessionResponse, error) {
	if c.failed != nil {
		return nil, c.failed
	}
	if c.unary {
		return c.unaryCall(name, first, rows, req)
	}
	if c.stream == nil {
		ctx, cancel := context.WithCancel(context.Background())
		s, err := c.rpc.Session(ctx)
		if err != nil {
			cancel()
			return nil, c.fail(fmt.Errorf("predictor: %s%s: open the Session stream: %s", name, examples(first, rows), c.explain(err)))
		}
		c.stream, c.stopStream = s, cancel
	}
	// A timer, not a deadline: the stream outlives the call. When it
	// fires it cancels the stream, which ends the Send or Recv that waits.
	var hung atomic.Bool
	stop := c.stopStream
	timer := time.AfterFunc(c.cfg.CallTimeout, func() {
		hung.Store(true)
		stop()
	})
	err := c.stream.Send(req)
	var resp *predictorpb.SessionResponse
	if err == nil || errors.Is(err, io.EOF) { // io.EOF: the stream ended; Recv has its status
		resp, err = c.stream.Recv()
	}
	if !timer.Stop() && err == nil {
		// The answer came as the timer fired: it stands, but the timer
		// cancelled the stream; the next call opens another.
		c.closeStream()
	}
	if err != nil {
		if hung.Load() {
			err = status.Error(codes.DeadlineExceeded, "the call timed out")
		}
		if !c.streamAnswer && status.Code(err) == codes.Unimplemented {
			c.closeStream()
			c.unary = true
			return c.unaryCall(name, first, rows, req)
		}
		if errors.Is(err, io.EOF) {
			err = status.Error(codes.Internal, "it ended the Session stream without an answer")
		}
		return nil, c.fail(fmt.Errorf("predictor: %s%s: %s", name, examples(first, rows), c.explain(err)))
	}
	c.streamAnswer = true
	_, isPredict := req.GetCall().(*predictorpb.SessionRequest_Predict)
	if (isPredict && resp.GetPredict() == nil) || (!isPredict && resp.GetUpdate() == nil) {
		return nil, c.fail(fmt.Errorf("predictor: %s%s: the plugin answered the Session message with another call's answer", name, examples(first, rows)))
	}
	return resp, nil
}

// unaryCall is session's call without the stream.
func (c *Client) unaryCall(name string, first int64, rows int, req *predictorpb.SessionRequest) (*predictorpb.SessionResponse, error) {
	var resp predictorpb.SessionResponse
	err := c.call(context.Background(), name, first, rows, func(ctx context.Context) error {
		switch r := req.GetCall().(type) {
		case *predictorpb.SessionRequest_Predict:
			p, err := c.rpc.Predict(ctx, r.Predict)
			resp.Answer = &predictorpb.SessionResponse_Predict{Predict: p}
			return err
		case *predictorpb.SessionRequest_Update:
			u, err := c.rpc.Update(ctx, r.Update)
			resp.Answer = &predictorpb.SessionResponse_Update{Update: u}
			return err
		default:
			panic("predictor: a Session request without a call")
		}
	})
	if err != nil {
		return nil, err
	}
	return &resp, nil
}

// closeStream ends the Session stream, if open.
func (c *Client) closeStream() {
	if c.stream != nil {
		_ = c.stream.CloseSend()
		c.stopStream()
		c.stream, c.stopStream = nil, nil
	}
}

// Save returns the plugin's state, which Load restores.
func (c *Client) Save() ([]byte, error) {
	if err := c.flush(); err != nil {
		return nil, err
	}
	var resp *predictorpb.SaveResponse
	err := c.call(context.Background(), "Save", -1, 0, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Save(ctx, &predictorpb.SaveRequest{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp.GetState(), nil
}

// Load restores a state from Save.
func (c *Client) Load(state []byte) error {
	if err := c.flush(); err != nil {
		return err
	}
	c.predicted = false // a loaded plugin holds no predicted batch
	return c.call(context.Background(), "Load", -1, 0, func(ctx context.Context) error {
		_, err := c.rpc.Load(ctx, &predictorpb.LoadRequest{State: state})
		return err
	})
}

// grpcPlugin is the host half of go-plugin's GRPCPlugin: it only dispenses
// a client; edlwire never serves a predictor itself.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

func (grpcPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("predictor: edlwire hosts predictors, it does not serve one")
}

func (grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return dispensed{predictorpb.NewPredictorClient(cc), cc}, nil
}

// dispensed is the predictor client with its connection.
type dispensed struct {
	predictorpb.PredictorClient
	cc *grpc.ClientConn
}
