package provider

import (
	"context"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
)

// testSCM is an external SCM configuration seeded on a test cluster, with the stand-in Git
// host the cluster serves for it (the acctest helpers, bound to one SCM).
type testSCM struct {
	ID string
	c  *acctest.Cluster
}

// seedSCM creates an SCM configuration of provider with a random id; it is never made the
// default, so tests sharing the cluster are not affected. A disabled one is disabled after.
func seedSCM(t *testing.T, c *acctest.Cluster, provider string, enabled bool) *testSCM {
	t.Helper()
	s := &testSCM{ID: c.NewSCM(t, provider), c: c}
	if !enabled {
		off := false
		if _, err := c.Admin.UpdateSCM(context.Background(), s.ID, algorithmia.UpdateSCMRequest{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// seedSCMLogin seeds an enabled SCM of provider on c (see seedSCM) and a login of u's on
// its host; it returns the SCM, the login and the login's token.
func seedSCMLogin(t *testing.T, c *acctest.Cluster, provider string, u *acctest.User) (scm *testSCM, login, token string) {
	t.Helper()
	scm = seedSCM(t, c, provider, true)
	login = "login_" + u.Name
	return scm, login, scm.Token(t, login)
}

func (s *testSCM) Token(t *testing.T, login string) string { return s.c.ExternalToken(t, s.ID, login) }
func (s *testSCM) RepoURL(owner, name string) string       { return s.c.ExternalRepoURL(s.ID, owner, name) }
func (s *testSCM) Repo(t *testing.T, owner, name string) localcluster.ExternalRepo {
	return s.c.ExternalRepo(t, s.ID, owner, name)
}
func (s *testSCM) Push(t *testing.T, owner, name, token string, cm acctest.Commit) string {
	return s.c.PushExternalCommit(t, s.ID, owner, name, token, cm)
}
func (s *testSCM) Log(t *testing.T, owner, name, token string) []string {
	return s.c.ExternalLog(t, s.ID, owner, name, token)
}
func (s *testSCM) TreeOf(t *testing.T, owner, name, token, commit string) string {
	return s.c.ExternalTreeOf(t, s.ID, owner, name, token, commit)
}
