package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	ok := `{"uri":"mongodb://u:p@127.0.0.1:1/","database":"d","collection":"c","docs":10,"concurrency":8,"seconds":1,"seed":7}`
	r, err := parseRequest([]byte(ok))
	if err != nil || r.Docs != 10 || r.Concurrency != 8 || r.Seconds != 1 || r.Seed != 7 {
		t.Fatalf("valid request: %+v, %v", r, err)
	}
	bad := map[string]string{
		`not json`: "request is not JSON",
		`{"uri":"http://x","database":"d","collection":"c","docs":1,"concurrency":1,"seconds":1}`:       `"uri" must be a mongodb://`,
		`{"uri":"mongodb://x","collection":"c","docs":1,"concurrency":1,"seconds":1}`:                   `"database" and "collection" are required`,
		`{"uri":"mongodb://x","database":"d","collection":"c","docs":0,"concurrency":1,"seconds":1}`:    `"docs" must be at least 1`,
		`{"uri":"mongodb://x","database":"d","collection":"c","docs":1,"concurrency":0,"seconds":1}`:    `"concurrency" must be 1..1024`,
		`{"uri":"mongodb://x","database":"d","collection":"c","docs":1,"concurrency":1,"seconds":0}`:    `"seconds" must be in (0, 3600]`,
		`{"uri":"mongodb://x","database":"d","collection":"c","docs":1,"concurrency":1,"seconds":4000}`: `"seconds" must be in (0, 3600]`,
	}
	for in, want := range bad {
		if _, err := parseRequest([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", in, err, want)
		}
	}
}

func TestRecordID(t *testing.T) {
	if got := recordID(42); got != "user0000000042" {
		t.Fatalf("recordID(42) = %q", got)
	}
}

func TestRedact(t *testing.T) {
	uri := "mongodb://svc:s3cr%2Ft@127.0.0.1:27017/?authSource=admin"
	for _, msg := range []string{"auth failed for s3cr/t", "bad uri mongodb://svc:s3cr%2Ft@127.0.0.1"} {
		if got := redact(msg, uri); strings.Contains(got, "s3cr") {
			t.Errorf("redact(%q) = %q: password left in", msg, got)
		}
	}
	if got := redact("plain message", "mongodb://127.0.0.1/"); got != "plain message" {
		t.Errorf("no credentials: %q", got)
	}
}

func TestRunRefusesBadRequest(t *testing.T) {
	var out bytes.Buffer
	if code := run(bufio.NewReader(strings.NewReader("{}\n")), &out); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if code := run(bufio.NewReader(strings.NewReader("")), &out); code != 2 {
		t.Fatalf("empty stdin: exit %d, want 2", code)
	}
	if out.Len() != 0 {
		t.Fatalf("nothing should be printed on stdout for a bad request, got %q", out.String())
	}
}
