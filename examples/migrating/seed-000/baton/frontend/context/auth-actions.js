// The backend calls of frontend/context/AuthContext.jsx, as they are there; only React's state
// (useState setters, toast, the socket) comes in as arguments instead of from the component, and
// logout's presence and socket cleanup is left out.
import axiosInstance, { setAccessToken } from "../src/lib/axiosInstance.js";

export const createAuthActions = ({ setAuthUser, setLoading, connectSocket, toast }) => {

// Check if user is authenticated and set user data
const checkAuth = async () => {
    try {
        const { data } = await axiosInstance.post("/api/auth/refresh-token");
        if (data?.accessToken) {
            setAccessToken(data.accessToken);
            setAuthUser(data.user);
            connectSocket(data.user);
        } else {
            setAccessToken(null);
            setAuthUser(null);
        }
    } catch (error) {
        console.error("Auth check failed:", error);
        setAccessToken(null);
        setAuthUser(null);
    } finally {
        setLoading(false);
    }
};

const login = async (state, credentials) => {
    try {
        const { data } = await axiosInstance.post(`/api/auth/${state}`, credentials);
        if (data?.accessToken) {
            setAccessToken(data.accessToken);
            setAuthUser(data.user);
            connectSocket(data.user);
            toast.success(state === 'signup' ? "Account created" : "Logged in");
            return { success: true, user: data.user, isSignup: state === 'signup' };
        } else {
            toast.error(data.message);
            return { success: false, message: data.message };
        }
    } catch (error) {
        const errorMessage = error.response?.data?.error?.message || error.message || "An error occurred";
        toast.error("Login failed");
        return { success: false, message: errorMessage };
    }
}

const logout = async () => {
    try {
        await axiosInstance.post('/api/auth/logout');
    } catch (error) {
        console.error("Logout error:", error);
    }
    // Clean up auth and presence state
    setAuthUser(null);
    setAccessToken(null);
    toast.success("Logged out successfully");
}

return { checkAuth, login, logout };
};
