package provider

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// stateList returns the addresses in a working directory's state.
func stateList(t *testing.T, w *acctest.Workdir) []string {
	t.Helper()
	return strings.Fields(w.MustRun(t, "state", "list"))
}

// A protected algorithm whose state is tainted (a previous apply failed after creating it)
// cannot be replaced, and setting deletion_protection = false does not help because the
// tainted state still says true. The refusal names `terraform untaint`, which recovers it:
// the next apply converges in place, on the same algorithm.
func TestCLI_taintedProtectedAlgorithmRecoversWithUntaint(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	name := acctest.RandomName("taint")
	addr := "algorithmia_algorithm.test"
	protected := strings.Replace(algorithmConfig(dev, u, name, "Tainted", "apl"), "deletion_protection = false", `sample_input = "\"hi\""`, 1)
	w := acctest.NewWorkdir(t, protected)

	// The create with a sample input must succeed and be consistent.
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	before, err := u.Client.GetAlgorithm(context.Background(), u.Name, name)
	if err != nil {
		t.Fatalf("the algorithm should exist after the apply: %v", err)
	}

	// What a failed create leaves behind: a tainted, protected algorithm.
	w.MustRun(t, "taint", addr)
	out, code := w.Run(t, "apply", "-auto-approve", "-input=false")
	if code == 0 || !strings.Contains(out, "protected from deletion") || !strings.Contains(out, "terraform untaint <resource address>") {
		t.Fatalf("replacing a tainted protected algorithm: exit %d, want a refusal naming `terraform untaint`:\n%s", code, out)
	}
	// Lifting the protection in the configuration does not reach the tainted object.
	w.Write(t, strings.Replace(protected, `sample_input`, "deletion_protection = false\n  sample_input", 1))
	if out, code := w.Run(t, "apply", "-auto-approve", "-input=false"); code == 0 || !strings.Contains(out, "terraform untaint <resource address>") {
		t.Fatalf("with deletion_protection = false in the configuration: exit %d, want the same refusal:\n%s", code, out)
	}

	// The way out the error names.
	w.Write(t, protected)
	w.MustRun(t, "untaint", addr)
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	if out, code := w.Run(t, "plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("after untaint and apply the plan is not empty (exit %d):\n%s", code, out)
	}
	after, err := u.Client.GetAlgorithm(context.Background(), u.Name, name)
	if err != nil || after.ID != before.ID {
		t.Fatalf("the algorithm must be the same one after recovery: before %s, after %+v, %v", before.ID, after, err)
	}
	// Leave the cluster clean.
	w.Write(t, strings.Replace(protected, `sample_input`, "deletion_protection = false\n  sample_input", 1))
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	w.MustRun(t, "destroy", "-auto-approve", "-input=false")
}

// terraform destroy of a protected algorithm with its algorithm_source fails at plan time:
// nothing leaves the state and nothing is deleted on the cluster.
func TestCLI_destroyOfProtectedAlgorithmFailsAtPlan(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, _ := acctest.Shared(t)
	du, pu := dev.NewUser(t, "dev"), dev.NewUser(t, "prod")
	name, commit := seedHello(t, dev, du, "keep", "Kept")
	cfg := dev.ProviderBlock("", pu, false) + sourceConfig("algorithmia", pu, dev.GitURL(du.Name, name), du, name, commit, "")
	protected := strings.Replace(cfg, "deletion_protection = false", "", 1)
	w := acctest.NewWorkdir(t, protected)
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	want := []string{"algorithmia_algorithm.dest", "algorithmia_algorithm_source.test"}
	if got := stateList(t, w); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("state after apply: %v, want %v", got, want)
	}
	head := pu.Log(t, dev, pu.Name, name)[0]

	out, code := w.Run(t, "destroy", "-auto-approve", "-input=false")
	if code == 0 || !strings.Contains(out, "protected from deletion") {
		t.Fatalf("destroy of a protected algorithm: exit %d, want a refusal:\n%s", code, out)
	}
	if strings.Contains(out, "Destroying...") || strings.Contains(out, "Destruction complete") {
		t.Fatalf("the refusal must come before anything is destroyed:\n%s", out)
	}
	if got := stateList(t, w); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("state after the refused destroy: %v, want both resources %v", got, want)
	}
	a, err := pu.Client.GetAlgorithm(context.Background(), pu.Name, name)
	if err != nil {
		t.Fatalf("the algorithm must still exist on the cluster: %v", err)
	}
	if got := pu.Log(t, dev, pu.Name, name)[0]; got != head || a.VersionInfo == nil || a.VersionInfo.GitHash != head {
		t.Fatalf("the cluster changed: head %s (was %s), version_info %+v", got, head, a.VersionInfo)
	}

	// Lifting the protection lets the destroy through.
	w.Write(t, cfg)
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	w.MustRun(t, "destroy", "-auto-approve", "-input=false")
	if _, err := pu.Client.GetAlgorithm(context.Background(), pu.Name, name); !errors.Is(err, algorithmia.ErrNotFound) {
		t.Fatalf("after the unprotected destroy the algorithm should be gone, got %v", err)
	}
}

// seedDataFor gives an existing account's key-holder (the account itself, or a member of an
// organization) a collection with one file; it returns a client with a key of username.
func seedDataFor(t *testing.T, c *acctest.Cluster, username, owner, collection, file string, content []byte) *algorithmia.Client {
	t.Helper()
	ctx := context.Background()
	key := "sim" + strings.ReplaceAll(acctest.RandomName("d"), "_", "") + "abcdefgh"
	if _, err := c.Admin.CreateUserAPIKey(ctx, username, algorithmia.CreateAPIKeyRequest{
		KeyType: algorithmia.KeyTypeAlgorithm, APIKey: key,
		Permissions: &algorithmia.AuthPermissions{AllowData: true, AllowDataWrite: true},
	}); err != nil {
		t.Fatalf("key for %s: %v", username, err)
	}
	client, err := algorithmia.New(algorithmia.Config{BaseURL: c.URL, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CreateCollection(ctx, owner, collection, nil); err != nil {
		t.Fatalf("collection %s/%s: %v", owner, collection, err)
	}
	p := algorithmia.DataPath{Owner: owner, Collection: collection, File: file}
	if _, err := client.PutObject(ctx, p, func(context.Context) (io.ReadCloser, int64, error) {
		return io.NopCloser(bytes.NewReader(content)), int64(len(content)), nil
	}); err != nil {
		t.Fatalf("upload %s: %v", p, err)
	}
	return client
}

// checkDataSurvives asserts that data://owner/collection/file still holds content.
func checkDataSurvives(t *testing.T, client *algorithmia.Client, owner, collection, file string, content []byte) {
	t.Helper()
	obj, err := client.GetObject(context.Background(), algorithmia.DataPath{Owner: owner, Collection: collection, File: file})
	if err != nil {
		t.Fatalf("data://%s/%s/%s must survive the refused destroy: %v", owner, collection, file, err)
	}
	defer obj.Body.Close()
	got, err := io.ReadAll(obj.Body)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("data://%s/%s/%s changed: %q, %v", owner, collection, file, got, err)
	}
}

// A user removed from the configuration who still owns hosted data is not destroyed: the
// plan fails and names the collection. force_destroy = true, applied first, lets it go.
func TestCLI_userOwningDataIsNotDestroyed(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("u")
	w := acctest.NewWorkdir(t, userConfig(dev, name, name+"@example.com", ""))
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	content := []byte("model weights")
	owner := seedDataFor(t, dev, name, name, "models", "model.bin", content)

	// Removing the user from a for_each is a destroy planned by a plain plan.
	w.Write(t, dev.ProviderBlock("", nil, true))
	out, code := w.Run(t, "plan", "-input=false")
	if code == 0 || !strings.Contains(out, "data://"+name+"/models") || !strings.Contains(out, "force_destroy") {
		t.Fatalf("plan destroying a user who owns data: exit %d, want a refusal naming data://%s/models and force_destroy:\n%s", code, name, out)
	}
	if out, code := w.Run(t, "apply", "-auto-approve", "-input=false"); code == 0 || strings.Contains(out, "Destroying...") {
		t.Fatalf("apply destroying a user who owns data: exit %d, want a refusal before anything is destroyed:\n%s", code, out)
	}
	if got := stateList(t, w); len(got) != 1 || got[0] != "algorithmia_user.test" {
		t.Fatalf("state after the refused destroy: %v", got)
	}
	checkDataSurvives(t, owner, name, "models", "model.bin", content)

	// force_destroy is Terraform's alone: an in-place update that touches nothing on the cluster.
	w.Write(t, userConfig(dev, name, name+"@example.com", "force_destroy = true"))
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	if out, code := w.Run(t, "plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after setting force_destroy is not empty (exit %d):\n%s", code, out)
	}
	checkDataSurvives(t, owner, name, "models", "model.bin", content)
	w.Write(t, dev.ProviderBlock("", nil, true))
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	if _, err := dev.Admin.GetUser(context.Background(), name); !errors.Is(err, algorithmia.ErrNotFound) {
		t.Fatalf("user %s should be gone after force_destroy, got %v", name, err)
	}
	// A new account of the same name starts without the old data.
	if _, err := dev.Admin.CreateUser(context.Background(), algorithmia.CreateUserRequest{Username: name, Email: name + "@example.com"}); err != nil {
		t.Fatal(err)
	}
	again := seedDataFor(t, dev, name, name, "other", "f", []byte("x"))
	if _, err := again.GetObject(context.Background(), algorithmia.DataPath{Owner: name, Collection: "models", File: "model.bin"}); !errors.Is(err, algorithmia.ErrNotFound) {
		t.Fatalf("data://%s/models/model.bin should be gone with its owner, got %v", name, err)
	}
	if err := dev.Admin.DeleteUser(context.Background(), name); err != nil {
		t.Fatal(err)
	}
}
