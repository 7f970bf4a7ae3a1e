package provider

import (
	"context"
	"sync"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// environmentMemo keeps each language's environments for the life of one provider
// configuration, that is one Terraform command: every algorithmia_environment of a
// for_each and every algorithm's plan check ask the same question, and the answer does
// not change during a run. Concurrent askers share one request; a failed list is not kept.
type environmentMemo struct {
	mu    sync.Mutex
	calls map[string]*environmentCall
}

type environmentCall struct {
	done chan struct{}
	envs []algorithmia.Environment
	err  error
}

// listEnvironments is ListEnvironments through the alias's memo.
func (c *clusterClient) listEnvironments(ctx context.Context, language string) ([]algorithmia.Environment, error) {
	m := c.environments
	if m == nil {
		return c.api.ListEnvironments(ctx, language)
	}
	m.mu.Lock()
	call, ok := m.calls[language]
	if !ok {
		call = &environmentCall{done: make(chan struct{})}
		m.calls[language] = call
		m.mu.Unlock()
		call.envs, call.err = c.api.ListEnvironments(ctx, language)
		if call.err != nil {
			m.mu.Lock()
			delete(m.calls, language)
			m.mu.Unlock()
		}
		close(call.done)
		return call.envs, call.err
	}
	m.mu.Unlock()
	select {
	case <-call.done:
		return call.envs, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
