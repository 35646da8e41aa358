"""The sign-in setup read from secrets files, and who a provider's identity lets in."""

from __future__ import annotations

import pytest

from pdcore import signin

GOOD = (
    "[auth]\n"
    'redirect_uri = "http://127.0.0.1:8501/oauth2callback"\n'
    'cookie_secret = "a long random string"\n'
    'client_id = "id"\n'
    'client_secret = "secret"\n'
    'server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"\n'
)


def write(tmp_path, text: str, name: str = "secrets.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_auth_table_is_real_sign_in_with_the_default_provider(tmp_path):
    setup = signin.read_setup([write(tmp_path, GOOD)])
    assert setup.real and setup.providers == ("default",) and not setup.problem


def test_no_file_and_no_auth_table_mean_no_sign_in_configured(tmp_path):
    assert signin.read_setup([tmp_path / "missing.toml"]) == signin.SignInSetup()
    other = write(tmp_path, '[gcp_service_account]\nclient_email = "x@y.iam"\n')
    assert not signin.read_setup([other]).real and not signin.read_setup([other]).problem


def test_a_file_that_does_not_parse_names_the_file_and_the_line(tmp_path):
    path = write(tmp_path, GOOD + "[gcp_service_account]\nproject_id = my-project\n")
    problem = signin.read_setup([path]).problem
    assert str(path) in problem and "line 8" in problem
    assert problem.count(".") >= 1 and "\n" not in problem


def test_a_duplicated_key_is_a_parse_error_with_its_line(tmp_path):
    path = write(tmp_path, GOOD + 'client_id = "again"\n')
    problem = signin.read_setup([path]).problem
    assert "line 7" in problem and "cannot be read" in problem


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_bytes(b'[auth]\nclient_id = "\xff"\n')
    assert "not UTF-8" in signin.read_setup([path]).problem


@pytest.mark.parametrize(
    "key", ["redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"]
)
def test_each_missing_auth_key_is_named(tmp_path, key):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(key))
    problem = signin.read_setup([write(tmp_path, text)]).problem
    assert key in problem and "Nobody can sign in" in problem


def test_an_empty_value_counts_as_missing(tmp_path):
    text = GOOD.replace('cookie_secret = "a long random string"', 'cookie_secret = ""')
    assert "cookie_secret" in signin.read_setup([write(tmp_path, text)]).problem


def test_a_redirect_uri_st_login_would_refuse_is_refused(tmp_path):
    text = GOOD.replace("/oauth2callback", "/callback")
    assert "/oauth2callback" in signin.read_setup([write(tmp_path, text)]).problem


@pytest.mark.parametrize("table", ["Auth", "AUTH", "oauth", "auht"])
def test_a_misspelled_auth_table_is_refused_not_ignored(tmp_path, table):
    problem = signin.read_setup([write(tmp_path, GOOD.replace("[auth]", f"[{table}]"))]).problem
    assert f"[{table}]" in problem and "[auth]" in problem


def test_a_misspelled_service_account_table_is_refused(tmp_path):
    path = write(tmp_path, '[GCP_Service_Account]\nclient_email = "x"\n')
    assert "[gcp_service_account]" in signin.read_setup([path]).problem


def test_named_provider_tables_are_providers_and_each_must_be_complete(tmp_path):
    base = (
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:8501/oauth2callback"\n'
        'cookie_secret = "a long random string"\n'
        "[auth.google]\n"
        'client_id = "id"\n'
        'client_secret = "secret"\n'
        'server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"\n'
    )
    assert signin.read_setup([write(tmp_path, base)]).providers == ("google",)
    broken = base + '[auth.microsoft]\nclient_id = "id"\n'
    problem = signin.read_setup([write(tmp_path, broken)]).problem
    assert "[auth.microsoft]" in problem and "client_secret" in problem
    assert (
        "underscore"
        in signin.read_setup([write(tmp_path, base.replace("google", "my_sso"))]).problem
    )
    # client_kwargs is a setting of the default provider, not a provider of its own.
    kwargs = GOOD + '[auth.client_kwargs]\nprompt = "select_account"\n'
    assert signin.read_setup([write(tmp_path, kwargs)]).providers == ("default",)


def test_later_files_override_earlier_ones_table_by_table(tmp_path):
    home = write(tmp_path, GOOD, "home.toml")
    project = write(tmp_path, '[auth]\nredirect_uri = "http://x/oauth2callback"\n', "project.toml")
    problem = signin.read_setup([home, project]).problem
    assert str(project) in problem and "cookie_secret" in problem
    # A broken file anywhere in the list closes the door, whatever the others say.
    broken = write(tmp_path, "auth = [\n", "broken.toml")
    assert signin.read_setup([home, broken]).problem


@pytest.mark.parametrize(
    ("email", "domain", "allowed"),
    [
        ("ana@school.org", "school.org", True),
        ("Ana@School.ORG", "school.org", True),
        ("ana@school.org", " School.org ", True),
        ("ana@school.org", "@school.org", True),
        ("x@evil-school.org", "school.org", False),
        ("x@sub.school.org", "school.org", False),
        ("x@school.org.evil.example", "school.org", False),
        ("school.org", "school.org", False),
        ("x@school.org@evil.example", "school.org", False),
        ("anyone@anywhere.example", "", True),
    ],
)
def test_the_domain_check_is_exact_and_case_insensitive(email, domain, allowed):
    assert signin.in_domain(email, domain) is allowed


@pytest.mark.parametrize(
    ("claims", "verified"),
    [
        ({"email_verified": True}, True),
        ({"email_verified": "true"}, True),
        ({}, True),
        ({"email_verified": False}, False),
        ({"email_verified": "false"}, False),
        ({"email_verified": 0}, False),
        ({"email_verified": "yes please"}, False),
    ],
)
def test_an_unverified_address_is_refused(claims, verified):
    assert signin.email_verified(claims) is verified
