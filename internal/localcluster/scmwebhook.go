package localcluster

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

const codeScmWebhookMalformed = 4070

var hashHex = regexp.MustCompile(`^[0-9a-f]{40}$`)

// pushEvent is what GitHub and GitLab push events share.
type pushEvent struct {
	Ref   string `json:"ref"`
	After string `json:"after"`
}

// receiveWebhook is POST …/scm/webhook (§6.2): the route a host calls on a
// push. The external hosts of this cluster deliver in-process instead (so
// the build exists before the push is answered), but the route takes the
// same deliveries from outside: GitHub style (X-GitHub-Event, with
// X-Hub-Signature-256 = HMAC-SHA256 of the body under the webhook secret)
// or GitLab style (X-Gitlab-Event, with X-Gitlab-Token = the secret). A push
// to the default branch builds its head (204); other events and branches
// are ignored (202 with a reason).
func (c *Cluster) receiveWebhook(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return errf(http.StatusBadRequest, codeScmWebhookMalformed, "cannot read the webhook payload")
	}
	var a algorithmRecord
	err = c.st.View(func(tx *store.Tx) error { return tx.Get(bucketAlgorithms, algoKey(ref.owner, ref.name), &a) })
	if err != nil {
		return errNoSuchAlgo
	}
	if a.Source == nil {
		return errf(http.StatusBadRequest, 4012, "Internal SCM does not support webhooks.")
	}
	if !webhookAuthentic(r, body, a.Source.WebhookSecret) {
		return errf(http.StatusBadRequest, codeScmWebhookMalformed, "The webhook payload is not signed with this algorithm's webhook secret.")
	}
	event := r.Header.Get("X-GitHub-Event")
	if event == "" {
		event = r.Header.Get("X-Gitlab-Event")
	}
	if event != "push" && event != "Push Hook" {
		writeJSON(w, http.StatusAccepted, map[string]string{"reason": "event " + event + " is not a push"})
		return nil
	}
	var ev pushEvent
	if err := json.Unmarshal(body, &ev); err != nil || !strings.HasPrefix(ev.Ref, "refs/heads/") || !hashHex.MatchString(ev.After) {
		return errf(http.StatusBadRequest, codeScmWebhookMalformed, "The push event needs ref (refs/heads/…) and after (a commit SHA).")
	}
	repos, owner, name, err := c.algoRepo(a)
	if err != nil {
		return err
	}
	branch, err := repos.DefaultBranch(owner, name)
	if err != nil {
		return err
	}
	if ev.Ref != "refs/heads/"+branch {
		writeJSON(w, http.StatusAccepted, map[string]string{"reason": "pushes to " + strings.TrimPrefix(ev.Ref, "refs/heads/") + " are not built; the default branch is " + branch})
		return nil
	}
	if _, _, err := repos.Tree(owner, name, ev.After); err != nil {
		return errf(http.StatusBadRequest, codeScmWebhookMalformed, "Commit %s is not in the repository.", ev.After)
	}
	if _, err := c.startBuild(a.Owner, a.Name, ev.After); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func webhookAuthentic(r *http.Request, body []byte, secret string) bool {
	if secret == "" {
		return false
	}
	if sig, ok := strings.CutPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256="); ok {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		want := mac.Sum(nil)
		got, err := hex.DecodeString(sig)
		return err == nil && hmac.Equal(got, want)
	}
	tok := r.Header.Get("X-Gitlab-Token")
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(secret)) == 1
}
