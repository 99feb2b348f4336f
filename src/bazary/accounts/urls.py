app_name = "bazary_accounts"

urlpatterns: list = []
