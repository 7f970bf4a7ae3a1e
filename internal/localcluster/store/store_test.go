package store

import (
	"errors"
	"path/filepath"
	"testing"
)

type rec struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func TestStoreRoundTripAndPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.View(func(tx *Tx) error {
		if err := tx.Get("b", "k", &rec{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing bucket: got %v, want ErrNotFound", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error {
		for _, k := range []string{"a/2", "a/1", "b/1"} {
			if err := tx.Put("b", k, rec{Name: k}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A failing transaction leaves nothing behind.
	boom := errors.New("boom")
	if err := s.Update(func(tx *Tx) error {
		if err := tx.Put("b", "a/3", rec{Name: "x"}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.View(func(tx *Tx) error {
		got, err := All[rec](tx, "b", "a/")
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].Name != "a/1" || got[1].Name != "a/2" {
			t.Errorf("scan a/: got %+v", got)
		}
		if tx.Has("b", "a/3") {
			t.Error("rolled-back record is visible")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error {
		n1, _ := tx.NextSequence("seq")
		n2, _ := tx.NextSequence("seq")
		if n2 <= n1 {
			t.Errorf("sequence not increasing: %d %d", n1, n2)
		}
		return tx.DeletePrefix("b", "a/")
	}); err != nil {
		t.Fatal(err)
	}
	_ = s.View(func(tx *Tx) error {
		if tx.Has("b", "a/1") || !tx.Has("b", "b/1") {
			t.Error("DeletePrefix removed the wrong keys")
		}
		return nil
	})
}
