"""Login and logout: Chinese errors, disabled accounts refused, `next` followed only on this site."""

from __future__ import annotations

from django.urls import reverse

from conftest import PASSWORD

LOGIN = "/login/"


def post_login(client, username: str, password: str, next_url: str | None = None):
    url = LOGIN if next_url is None else f"{LOGIN}?next={next_url}"
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data)


class TestLogin:
    def test_page_is_in_chinese(self, client, db):
        html = client.get(LOGIN).content.decode()
        assert "用户名" in html and "密码" in html and "登录" in html

    def test_right_credentials_go_home(self, client, filler):
        response = post_login(client, "filler", PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:home")
        assert client.get("/").wsgi_request.user == filler

    def test_wrong_password_shows_a_chinese_error(self, client, filler):
        response = post_login(client, "filler", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated

    def test_unknown_user_gets_the_same_error(self, client, db):
        response = post_login(client, "nobody", PASSWORD)
        assert "用户名或密码不正确" in response.content.decode()

    def test_empty_fields_are_reported_at_the_field(self, client, db):
        html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
        assert "这个字段是必填项" in html

    def test_inactive_user_cannot_log_in(self, client, filler):
        filler.is_active = False
        filler.save(update_fields=["is_active"])
        response = post_login(client, "filler", PASSWORD)
        assert response.status_code == 200
        # Same message as a wrong password: the page does not reveal that the account exists.
        assert "用户名或密码不正确" in response.content.decode()
        assert client.get("/").status_code == 302

    def test_it_follows_next_on_this_site(self, client, ministry):
        response = post_login(client, "ministry", PASSWORD, next_url="/registry/bases/?status=active")
        assert response["Location"] == "/registry/bases/?status=active"

    def test_it_ignores_next_to_another_site(self, client, ministry):
        response = post_login(client, "ministry", PASSWORD, next_url="https://evil.example.com/")
        assert response["Location"] == reverse("accounts:home")

    def test_protected_page_sends_to_login_with_next(self, client, db):
        response = client.get("/registry/bases/")
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=/registry/bases/"

    def test_next_is_kept_in_the_form(self, client, db):
        html = client.get(f"{LOGIN}?next=/registry/bases/").content.decode()
        assert 'name="next" value="/registry/bases/"' in html

    def test_logged_in_user_is_sent_home(self, client, filler):
        client.force_login(filler)
        response = client.get(LOGIN)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:home")


class TestLogout:
    def test_post_logs_out(self, client, filler):
        client.force_login(filler)
        response = client.post("/logout/")
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login")
        assert client.get("/").status_code == 302

    def test_get_does_not_log_out(self, client, filler):
        client.force_login(filler)
        assert client.get("/logout/").status_code == 405
        assert client.get("/").status_code == 200

    def test_every_page_has_a_logout_form(self, client, filler):
        client.force_login(filler)
        html = client.get("/").content.decode()
        assert 'method="post" action="/logout/"' in html
