package algorithmia

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotOurBuild means the latest successful build is of another commit, so publishing
// "the latest successful build" would ship something else than asked for.
var ErrNotOurBuild = errors.New("algorithmia: the latest successful build is of another commit")

// buildSearchDepth bounds how many builds FindBuild looks at, newest first.
const buildSearchDepth = 100

// FindBuild returns the newest build of commit, or nil when none of the recent builds is.
func (c *Client) FindBuild(ctx context.Context, owner, name, commit string) (*Build, error) {
	var found *Build
	seen := 0
	err := c.WalkBuilds(ctx, owner, name, 20, func(b Build) bool {
		if b.CommitSHA == commit {
			found = &b
			return false
		}
		seen++
		return seen < buildSearchDepth
	})
	return found, err
}

// WaitOptions tune WaitForBuild.
type WaitOptions struct {
	// Appear bounds how long a build may take to show up after a push.
	Appear time.Duration
	// Poll is the first interval between polls; it doubles up to MaxPoll.
	Poll, MaxPoll time.Duration
	// CompileIfMissing starts a build (compile) when none appears for commit; use it
	// when commit is already the head of master and nothing was pushed.
	CompileIfMissing bool
	// Progress is told about each poll; nil is silent.
	Progress func(b Build)
}

// WaitForBuild finds the build of commit and waits until it finished. It returns the
// finished build (succeeded or failed); the context bounds the whole wait.
func (c *Client) WaitForBuild(ctx context.Context, owner, name, commit string, opts WaitOptions) (*Build, error) {
	if opts.Appear == 0 {
		opts.Appear = 30 * time.Second
	}
	if opts.Poll == 0 {
		opts.Poll = 200 * time.Millisecond
	}
	if opts.MaxPoll == 0 {
		opts.MaxPoll = 5 * time.Second
	}
	wait := opts.Poll
	sleep := func() error {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, opts.MaxPoll)
		return nil
	}

	deadline := time.Now().Add(opts.Appear)
	compiled := false
	var build *Build
	for build == nil {
		b, err := c.FindBuild(ctx, owner, name, commit)
		if err != nil {
			return nil, err
		}
		if b != nil {
			build = b
			break
		}
		if opts.CompileIfMissing && !compiled {
			if _, err := c.Compile(ctx, owner, name); err != nil {
				return nil, fmt.Errorf("no build of %s exists and compiling failed: %w", commit, err)
			}
			compiled = true
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no build of commit %s of %s/%s appeared within %s", commit, owner, name, opts.Appear)
		}
		if err := sleep(); err != nil {
			return nil, err
		}
	}
	wait = opts.Poll
	for !build.Finished() {
		if opts.Progress != nil {
			opts.Progress(*build)
		}
		if err := sleep(); err != nil {
			return build, fmt.Errorf("waiting for build %s: %w", build.BuildID, err)
		}
		b, err := c.GetBuild(ctx, owner, name, build.BuildID)
		if err != nil {
			return build, err
		}
		build = b
	}
	return build, nil
}

// FindPublishedVersion returns the published version built from commit, or nil.
func (c *Client) FindPublishedVersion(ctx context.Context, owner, name, commit string) (*Algorithm, error) {
	published := true
	var found *Algorithm
	err := c.WalkVersions(ctx, owner, name, VersionFilter{Published: &published}, 50, func(v Algorithm) bool {
		if v.VersionInfo != nil && v.VersionInfo.GitHash == commit {
			found = &v
			return false
		}
		return true
	})
	return found, err
}

// PublishCommit publishes commit exactly once and returns the version. An existing version
// of commit is returned as is. Otherwise it checks that the latest successful build is of
// commit (the platform publishes "the latest successful build"), publishes with
// version_info.git_hash set (honoured by clusters that know the legacy field), and checks
// the returned hash. The algorithm's current details and settings are sent unchanged,
// because they are owned elsewhere (publishing would otherwise overwrite them).
func (c *Client) PublishCommit(ctx context.Context, owner, name, commit string, info PublishVersionInfo) (*Algorithm, error) {
	if v, err := c.FindPublishedVersion(ctx, owner, name, commit); err != nil || v != nil {
		return v, err
	}
	var latest *Build
	err := c.WalkBuilds(ctx, owner, name, 20, func(b Build) bool {
		if b.Status == BuildStatusSucceeded {
			latest = &b
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if latest == nil || latest.CommitSHA != commit {
		other := "none"
		if latest != nil {
			other = latest.CommitSHA
		}
		return nil, fmt.Errorf("%w: want %s, latest successful build is of %s; refusing to publish", ErrNotOurBuild, commit, other)
	}
	current, err := c.GetAlgorithm(ctx, owner, name)
	if err != nil {
		return nil, err
	}
	if info.SampleInput == "" && current.VersionInfo != nil {
		info.SampleInput = current.VersionInfo.SampleInput
	}
	info.GitHash = commit
	pipeline := current.Settings.PipelineEnabled
	details := current.Details
	// A publish whose answer is lost may have published: read the versions back before
	// sending it again, so a commit is never published twice.
	var v *Algorithm
	err = c.Settle(ctx, func(ctx context.Context) error {
		var perr error
		v, perr = c.PublishVersion(ctx, owner, name, VersionRequest{
			Details: &details,
			Settings: &PublishSettings{
				AlgorithmCallability: current.Settings.AlgorithmCallability,
				SourceVisibility:     current.Settings.SourceVisibility,
				License:              current.Settings.License,
				RoyaltyMicrocredits:  current.Settings.RoyaltyMicrocredits,
				NetworkAccess:        current.Settings.NetworkAccess,
				PipelineEnabled:      &pipeline,
			},
			VersionInfo: info,
		})
		return perr
	}, func(ctx context.Context) (bool, error) {
		found, ferr := c.FindPublishedVersion(ctx, owner, name, commit)
		if found != nil {
			v = found
		}
		return found != nil, ferr
	})
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == CodeVersionAlreadyPublished {
		// Someone published it between our check and our call: adopt theirs.
		if v, ferr := c.FindPublishedVersion(ctx, owner, name, commit); ferr == nil && v != nil {
			return v, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if v.VersionInfo == nil || v.VersionInfo.GitHash != commit || v.VersionInfo.SemanticVersion == "" {
		got := "nothing"
		if v.VersionInfo != nil {
			got = v.VersionInfo.GitHash + " as " + v.VersionInfo.SemanticVersion
		}
		return nil, fmt.Errorf("the cluster published %s instead of commit %s", got, commit)
	}
	return v, nil
}
