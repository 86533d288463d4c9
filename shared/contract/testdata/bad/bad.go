// Package bad breaks every rule of the determinism contract once; the
// contract tests check that the checker notices. It is never built.
package bad

import (
	"math"
	"math/rand"
	"os"
	"time"

	"google.golang.org/grpc"
)

var _ = grpc.NewServer

func f(r *rand.Rand) float64 {
	_ = os.Getenv("X")
	_ = time.Now()
	return math.Exp(1) + math.Log(2) + r.NormFloat64()
}
