// Package store is the local cluster's embedded database: one bbolt file holding
// JSON records in named buckets. Every mutation happens inside one bbolt
// read-write transaction, so a crash (even kill -9) never leaves a torn record:
// bbolt commits a transaction with a single fsynced meta-page switch.
//
// The store knows nothing about HTTP, Git or the Algorithmia object model; it
// never interprets the values it keeps.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNotFound reports a key that is not in its bucket.
var ErrNotFound = errors.New("store: not found")

// Store is an open database file.
type Store struct {
	db *bolt.DB
}

// Open opens (or creates) the database file at path. A second process opening
// the same file waits up to five seconds and then fails instead of hanging.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database file; it is safe to call more than once.
func (s *Store) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	return s.db.Close()
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(*Tx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// Update runs fn in a read-write transaction; the transaction commits only if
// fn returns nil, so every record fn wrote becomes visible at once or not at all.
func (s *Store) Update(fn func(*Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// Tx is one transaction. Buckets are created on first write; reading a missing
// bucket behaves like reading an empty one.
type Tx struct {
	tx *bolt.Tx
}

func (t *Tx) bucket(name string, create bool) (*bolt.Bucket, error) {
	if b := t.tx.Bucket([]byte(name)); b != nil {
		return b, nil
	}
	if !create || !t.tx.Writable() {
		return nil, nil
	}
	return t.tx.CreateBucket([]byte(name))
}

// Get decodes the JSON value under key into v. It returns ErrNotFound when the
// key is absent.
func (t *Tx) Get(bucket, key string, v any) error {
	b, err := t.bucket(bucket, false)
	if err != nil {
		return err
	}
	if b == nil {
		return ErrNotFound
	}
	raw := b.Get([]byte(key))
	if raw == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("store: decode %s/%s: %w", bucket, key, err)
	}
	return nil
}

// Has reports whether key exists in bucket.
func (t *Tx) Has(bucket, key string) bool {
	b, _ := t.bucket(bucket, false)
	return b != nil && b.Get([]byte(key)) != nil
}

// Put stores v, encoded as JSON, under key.
func (t *Tx) Put(bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", bucket, key, err)
	}
	b, err := t.bucket(bucket, true)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), raw)
}

// Delete removes key from bucket; a missing key is not an error.
func (t *Tx) Delete(bucket, key string) error {
	b, err := t.bucket(bucket, false)
	if err != nil || b == nil {
		return err
	}
	return b.Delete([]byte(key))
}

// NextSequence returns a per-bucket counter that only ever grows, also across
// restarts, so it can order records by creation.
func (t *Tx) NextSequence(bucket string) (uint64, error) {
	b, err := t.bucket(bucket, true)
	if err != nil {
		return 0, err
	}
	return b.NextSequence()
}

// Scan calls fn for every key starting with prefix, in ascending key order,
// until fn returns false or an error. The raw value is only valid inside fn.
func (t *Tx) Scan(bucket, prefix string, fn func(key string, raw []byte) (bool, error)) error {
	b, err := t.bucket(bucket, false)
	if err != nil || b == nil {
		return err
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		more, err := fn(string(k), v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// DeletePrefix removes every key starting with prefix.
func (t *Tx) DeletePrefix(bucket, prefix string) error {
	var keys []string
	if err := t.Scan(bucket, prefix, func(k string, _ []byte) (bool, error) {
		keys = append(keys, k)
		return true, nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := t.Delete(bucket, k); err != nil {
			return err
		}
	}
	return nil
}

// All decodes every value whose key starts with prefix, in ascending key order.
func All[T any](t *Tx, bucket, prefix string) ([]T, error) {
	var out []T
	err := t.Scan(bucket, prefix, func(k string, raw []byte) (bool, error) {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return false, fmt.Errorf("store: decode %s/%s: %w", bucket, k, err)
		}
		out = append(out, v)
		return true, nil
	})
	return out, err
}
