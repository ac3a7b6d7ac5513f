// mongo-pointread: the point-read probe of `mongodb:bench`, with the official MongoDB Go driver.
//
// The bench's Node driver costs 170-400 µs of CPU per findOne on the 2-core machine it measures, as much
// as FerretDB and its PostgreSQL together, so its reads/s are capped by the client as much as by the
// server. This probe makes the same calls (findOne({_id}) by uniformly random key, `concurrency` in
// flight, closed loop) for 70-80 µs of client CPU per read, the way pgbench and redis-benchmark are
// native clients. It checks every answer (the record asked for, by _id) and reports its own CPU.
//
// Protocol (one JSON line each way, so the connection string with its password never sits in argv or
// the environment):
//
//	stdin:  {"uri":...,"database":...,"collection":...,"docs":N,"concurrency":N,"seconds":S,"seed":N}
//	stdout: {"ready":true}        after connecting and warming every connection
//	stdin:  go                    the caller's CPU meter has started; the timed window begins
//	stdout: {"reads":..,"misses":..,"errors":..,"wallSeconds":..,"cpuSeconds":..,"latenciesUs":[..]}
//
// Exit codes: 0 done (misses and errors are in the result), 2 bad request, 3 cannot connect.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

type request struct {
	URI         string  `json:"uri"`
	Database    string  `json:"database"`
	Collection  string  `json:"collection"`
	Docs        int     `json:"docs"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Seed        int64   `json:"seed"`
}

type result struct {
	Reads       int      `json:"reads"`
	Misses      int      `json:"misses"`
	Errors      int      `json:"errors"`
	FirstError  string   `json:"firstError,omitempty"`
	WallSeconds float64  `json:"wallSeconds"`
	CPUSeconds  float64  `json:"cpuSeconds"`
	LatenciesUs []uint32 `json:"latenciesUs"`
}

// parseRequest reads and checks the request line; the error names the field and the accepted range.
func parseRequest(line []byte) (request, error) {
	var r request
	if err := json.Unmarshal(line, &r); err != nil {
		return r, fmt.Errorf("request is not JSON: %v", err)
	}
	switch {
	case !strings.HasPrefix(r.URI, "mongodb://") && !strings.HasPrefix(r.URI, "mongodb+srv://"):
		return r, errors.New(`"uri" must be a mongodb:// connection string`)
	case r.Database == "" || r.Collection == "":
		return r, errors.New(`"database" and "collection" are required`)
	case r.Docs < 1:
		return r, errors.New(`"docs" must be at least 1 (the records user0000000000.. to read)`)
	case r.Concurrency < 1 || r.Concurrency > 1024:
		return r, errors.New(`"concurrency" must be 1..1024`)
	case r.Seconds <= 0 || r.Seconds > 3600:
		return r, errors.New(`"seconds" must be in (0, 3600]`)
	}
	return r, nil
}

// recordID is the bench's YCSB key (packages/mongodb/src/ycsb.ts recordId).
func recordID(key int) string { return fmt.Sprintf("user%010d", key) }

// redact removes the connection string's password from a driver message before it is printed.
func redact(msg, uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return msg
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "***")
		msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "***")
	}
	return msg
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// worker's tally over the timed window.
type tally struct {
	reads, misses, errors int
	firstError            string
	latencies             []uint32
}

// readOne: one findOne by _id; a hit must be the record asked for.
func readOne(ctx context.Context, coll *mongo.Collection, id string) (found bool, err error) {
	raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	got, ok := raw.Lookup("_id").StringValueOK()
	if !ok || got != id {
		return false, fmt.Errorf("asked for _id %q, got a document with _id %v", id, raw.Lookup("_id"))
	}
	return true, nil
}

func run(in *bufio.Reader, out io.Writer) int {
	line, err := in.ReadBytes('\n')
	if err != nil && len(line) == 0 {
		fmt.Fprintln(os.Stderr, "mongo-pointread: no request on stdin (one JSON line; see the top of main.go)")
		return 2
	}
	req, err := parseRequest(line)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mongo-pointread: bad request:", err)
		return 2
	}
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(req.URI).SetMaxPoolSize(uint64(req.Concurrency)).SetMinPoolSize(uint64(req.Concurrency)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "mongo-pointread: cannot connect:", redact(err.Error(), req.URI))
		return 3
	}
	defer client.Disconnect(ctx)
	coll := client.Database(req.Database).Collection(req.Collection)

	// Warm-up: every worker's connection opened and authenticated, outside the timed window.
	var wg sync.WaitGroup
	warm := make([]error, req.Concurrency)
	for w := 0; w < req.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20 && warm[w] == nil; i++ {
				_, warm[w] = readOne(ctx, coll, recordID(i%req.Docs))
			}
		}(w)
	}
	wg.Wait()
	for _, e := range warm {
		if e != nil {
			fmt.Fprintln(os.Stderr, "mongo-pointread: cannot read:", redact(e.Error(), req.URI))
			return 3
		}
	}
	fmt.Fprintln(out, `{"ready":true}`)
	if _, err := in.ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "mongo-pointread: stdin closed before \"go\"")
		return 2
	}

	tallies := make([]tally, req.Concurrency)
	cpu0, t0 := cpuSeconds(), time.Now()
	until := t0.Add(time.Duration(req.Seconds * float64(time.Second)))
	for w := 0; w < req.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			t := &tallies[w]
			random := rand.New(rand.NewSource(req.Seed + int64(w)))
			for time.Now().Before(until) {
				id := recordID(random.Intn(req.Docs))
				s := time.Now()
				found, err := readOne(ctx, coll, id)
				switch {
				case err != nil:
					t.errors++
					if t.firstError == "" {
						t.firstError = redact(err.Error(), req.URI)
					}
				case !found:
					t.misses++
				default:
					t.reads++
					us := time.Since(s).Microseconds()
					if us < 1 {
						us = 1
					}
					t.latencies = append(t.latencies, uint32(us))
				}
			}
		}(w)
	}
	wg.Wait()
	res := result{WallSeconds: time.Since(t0).Seconds(), CPUSeconds: cpuSeconds() - cpu0, LatenciesUs: []uint32{}}
	for _, t := range tallies {
		res.Reads += t.reads
		res.Misses += t.misses
		res.Errors += t.errors
		if res.FirstError == "" {
			res.FirstError = t.firstError
		}
		res.LatenciesUs = append(res.LatenciesUs, t.latencies...)
	}
	if err := json.NewEncoder(out).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "mongo-pointread: writing the result:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(bufio.NewReader(os.Stdin), os.Stdout)) }
