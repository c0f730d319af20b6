from django.contrib.auth import authenticate
from rest_framework import serializers

from .models import User


class UserSummarySerializer(serializers.ModelSerializer):
    """Compact user shape nested inside tasks, comments, members and activity."""

    class Meta:
        model = User
        fields = ["id", "full_name", "email", "avatar_url"]


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "avatar_url", "timezone", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)

    def validate(self, attrs):
        user = authenticate(
            request=self.context["request"],
            email=attrs["email"].lower(),
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError("Invalid email or password.")
        attrs["user"] = user
        return attrs
